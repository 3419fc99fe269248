// Exit codes of a nightly run, each from a real scenario through the compiled CLI:
// 0 all done, 1 some failed (the rest finished), 2 usage or config error, 3 folder locked.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, startCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

test('--help documents the exit codes', async () => {
  const help = await runCli(['--help'], tempDir());
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(
    /Exit codes:\n\s+0\s+every job is done\n\s+1\s+some jobs failed.*\n\s+2\s+usage or config error.*\n\s+3\s+another run holds the run folder/,
  );
});

test('0 when every job is done, 1 when some failed and the rest finished, with the why in summary.json', async () => {
  const dir = tempDir();
  writeConfig(dir, 'ok.json', { experiments: [{ name: 'ok', kind: 'selftest', jobs: 2 }] });
  writeConfig(dir, 'mixed.json', {
    experiments: [
      { name: 'ok', kind: 'selftest', jobs: 2 },
      { name: 'bad', kind: 'selftest', action: 'throw' },
      { name: 'after-bad', kind: 'selftest', from: 'bad' },
    ],
  });
  const [ok, mixed] = await Promise.all([
    runCli(['ok.json', '--workers', '1', '--progress', 'none'], dir),
    runCli(['mixed.json', '--workers', '1', '--retries', '0', '--progress', 'none'], dir),
  ]);
  expect(ok.code).toBe(0);
  expect(mixed.code).toBe(1);
  const summary = JSON.parse(readFileSync(path.join(dir, 'outputs', 'mixed', 'summary.json'), 'utf8'));
  expect(summary.ran.sort()).toEqual(['ok/seed=1/job=0', 'ok/seed=1/job=1']);
  expect(summary.reused).toEqual([]);
  expect(summary.failures).toEqual([
    expect.objectContaining({
      key: 'bad/seed=1/job=0',
      error: 'selftest job bad #0 throws as asked',
      attempts: 1,
    }),
  ]);
  expect(summary.blocked).toEqual([
    expect.objectContaining({ key: 'after-bad/seed=1/job=0', by: 'bad/seed=1/job=0' }),
  ]);

  // Run again: the finished jobs are reused, the failure is reported again (not retried), still exit 1.
  const again = await runCli(['mixed.json', '--progress', 'none'], dir);
  expect(again.code).toBe(1);
  const second = JSON.parse(readFileSync(path.join(dir, 'outputs', 'mixed', 'summary.json'), 'utf8'));
  expect(second.ran).toEqual([]);
  expect(second.reused.sort()).toEqual(['ok/seed=1/job=0', 'ok/seed=1/job=1']);
  expect(second.failures[0]).toMatchObject({ key: 'bad/seed=1/job=0', earlier: true });
});

test('2 for a bad config, a bad flag, --shard 0/3 and 4/3, --only of an unknown name; nothing is written', async () => {
  const dir = tempDir();
  writeConfig(dir, 'bad.json', { experiments: [{ name: 'x', kind: 'selftest', jobs: -1 }] });
  writeConfig(dir, 'good.json', { experiments: [{ name: 'ok', kind: 'selftest' }] });
  const results = await Promise.all([
    runCli(['bad.json'], dir),
    runCli(['good.json', '--workers', '0'], dir),
    runCli(['good.json', '--shard', '0/3'], dir),
    runCli(['good.json', '--shard', '4/3'], dir),
    runCli(['good.json', '--shard', 'two'], dir),
    runCli(['good.json', '--only', 'nope'], dir),
  ]);
  for (const r of results) expect(r.code).toBe(2);
  expect(results[0].stderr).toContain('bad.json');
  expect(results[2].stderr).toContain('--shard 0/3: k must be from 1 to 3');
  expect(results[3].stderr).toContain('--shard 4/3: k must be from 1 to 3');
  expect(results[4].stderr).toContain('--shard: expected k/n such as 1/3, got "two"');
  expect(results[5].stderr).toContain(
    '--only nope: no experiment or kind of good.json has this name; expected one of: ok, selftest',
  );
  for (const r of results) expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(existsSync(path.join(dir, 'outputs'))).toBe(false);
});

test('3 when another live run holds the folder; the holder is undisturbed', async () => {
  const dir = tempDir();
  // The holder's job sleeps far longer than the test lasts: the test, not a time window, decides
  // when it ends (SIGINT, once the second run has been refused).
  writeConfig(dir, 'busy.json', {
    experiments: [{ name: 'slow', kind: 'selftest', action: 'sleep', ms: 600_000 }],
  });
  const first = startCli(['busy.json', '--workers', '1', '--progress', 'lines'], dir);
  await first.lines(/^busy: 1 jobs/, 1); // printed once the lock is held
  const lockFile = path.join(dir, 'outputs', 'busy', 'lock');
  const second = await runCli(['busy.json', '--log', 'json'], dir);
  expect(second.code).toBe(3);
  const line = JSON.parse(second.stderr.trim());
  expect(line).toMatchObject({ level: 'error', event: 'run-error', exitCode: 3 });
  expect(line.error).toContain(`another run (pid ${first.child.pid}`);
  // The refused run left the lock and the journal to the holder, which is still running its job.
  expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(first.child.pid);
  expect(first.child.exitCode).toBeNull();
  const journal = readFileSync(path.join(dir, 'outputs', 'busy', 'journal.jsonl'), 'utf8');
  expect(journal.match(/"event":"run-started"/g)).toHaveLength(1);

  first.child.kill('SIGINT');
  expect((await first.done).code).toBe(130);
  expect(existsSync(lockFile)).toBe(false);
});

test('2 from every command for bad input, one line without a stack; with --log json --log-file, a run-error line there', async () => {
  const dir = tempDir();
  writeConfig(dir, 'bad.json', { experiments: [{ name: 'x', kind: 'selftest', jobs: -1 }] });
  const [status, report, merge, logged] = await Promise.all([
    runCli(['status', 'nowhere'], dir),
    runCli(['report', 'nowhere'], dir),
    runCli(['merge', 'nowhere', '--out', 'merged'], dir),
    runCli(['bad.json', '--log', 'json', '--log-file', 'logs/nightly.jsonl'], dir),
  ]);
  for (const [result, message] of [
    [status, 'nowhere: not a run folder (no plan.json); run a config first\n'],
    [report, 'nowhere: not a run folder (no plan.json); run a config first\n'],
    [merge, 'nowhere: not a run folder (no plan.json); run a config first\n'],
  ] as const) {
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(message);
  }
  expect(logged.code).toBe(2);
  expect(logged.stderr).toBe('');
  const line = JSON.parse(readFileSync(path.join(dir, 'logs', 'nightly.jsonl'), 'utf8'));
  expect(line).toMatchObject({ level: 'error', event: 'run-error', exitCode: 2 });
  expect(line.error).toContain('bad.json: experiments[0].jobs');
});

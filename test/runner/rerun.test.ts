// Running a config again: done jobs are skipped, failed ones stay failed unless --rerun-failed,
// --force reruns everything, a changed parameter reruns exactly what depends on it; `status`
// and `status --explain` say which and why.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { explainJob } from '../../src/runner/explain';
import { readJournal, type JournalEvent } from '../../src/runner/journal';
import { runExperiments, type RunOptions } from '../../src/runner/run';
import { formatStatus, readStatus } from '../../src/runner/status';
import { runCli, tables, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const config = (baseMs: number) => ({
  defaults: { retries: 0 },
  experiments: [
    { name: 'base', kind: 'selftest', jobs: 2, ms: baseMs },
    { name: 'derived', kind: 'selftest', from: 'base' },
    { name: 'flaky', kind: 'selftest', action: 'flaky' },
    { name: 'after-flaky', kind: 'selftest', from: 'flaky' },
  ],
});

/** Events of the last run in the journal. */
function lastRunEvents(runDir: string): JournalEvent[] {
  const events = readJournal(path.join(runDir, 'journal.jsonl'));
  const start = events.map((e) => e.event).lastIndexOf('run-started');
  return events.slice(start + 1);
}

test('resume, --rerun-failed, --force, a changed parameter; status and explain', async () => {
  const dir = tempDir();
  writeConfig(dir, 'again.json', config(10));
  const run = (more: Partial<RunOptions> = {}) =>
    runExperiments({ config: 'again.json', cwd: dir, workers: 2, progress: 'none', log: () => {}, ...more });

  const first = await run();
  expect(first.exitCode).toBe(1);
  expect(first.counts).toMatchObject({ total: 5, done: 3, failed: 1, blocked: 1 });
  const runDir = first.runDir;
  const status = formatStatus(readStatus(runDir));
  expect(status[0]).toBe(`${runDir}: 5 jobs: 3 done, 1 failed, 1 blocked, 0 running, 0 pending`);
  expect(status).toContain('selftest     3       1        1        0        0      5');
  expect(
    status.some((line) =>
      /^ {2}flaky\/seed=1\/job=0 \[\w+\] after 1 attempt\(s\), deterministic: --rerun-failed retries it: selftest job flaky #0 fails on its first attempt as asked$/.test(
        line,
      ),
    ),
  ).toBe(true);
  expect(explainJob(runDir, 'flaky/seed=1/job=0').at(-1)).toMatch(
    /^will not run again: it failed in an earlier run after 1 attempt\(s\): .*; --rerun-failed retries it$/,
  );

  // Again: nothing runs; the earlier failure is still reported.
  const second = await run();
  expect(second.exitCode).toBe(1);
  expect(second.counts.ranNow).toBe(0);
  expect(second.failures.map((f) => f.earlier)).toEqual([true]);
  expect(lastRunEvents(runDir).filter((e) => e.event === 'started')).toEqual([]);

  // --rerun-failed: the failed job and the job it blocked run, nothing else.
  const third = await run({ rerunFailed: true });
  expect(third.exitCode).toBe(0);
  expect(
    lastRunEvents(runDir)
      .filter((e) => e.event === 'finished')
      .map((e) => 'key' in e && e.key),
  ).toEqual(['flaky/seed=1/job=0', 'after-flaky/seed=1/job=0']);
  const published = tables(runDir);
  expect(published.size).toBe(5);

  // --force: everything again, same tables.
  const forced = await run({ force: true });
  expect(forced.counts.ranNow).toBe(5);
  expect(tables(runDir)).toEqual(published);

  // A changed parameter: the base jobs and the job that needs them, and explain says why.
  writeConfig(dir, 'again.json', config(12));
  expect(explainJob(runDir, 'derived/seed=1/job=0').slice(1)).toEqual([
    expect.stringMatching(/^job derived\/seed=1\/job=0 \(kind selftest\), id \w{20}$/),
    'will run: no result for this id yet',
    '  it waits for base/seed=1/job=0, which has no result yet',
    '  it waits for base/seed=1/job=1, which has no result yet',
    expect.stringMatching(
      /^ {2}its earlier result \(id \w{20}, finished .*\) was computed with something else:$/,
    ),
    expect.stringMatching(/^ {4}needs\.in0 \(base\/seed=1\/job=0\) changed: id \w{20} → \w{20}$/),
    '      params.ms: 10 → 12',
    expect.stringMatching(/^ {4}needs\.in1 \(base\/seed=1\/job=1\) changed: id \w{20} → \w{20}$/),
    '      params.ms: 10 → 12',
  ]);
  expect(explainJob(runDir, 'flaky/seed=1/job=0').at(-1)).toMatch(
    /^will not run again: its result is in place/,
  );
  const changed = await run();
  expect(
    lastRunEvents(runDir)
      .filter((e) => e.event === 'finished')
      .map((e) => 'key' in e && e.key)
      .sort(),
  ).toEqual(['base/seed=1/job=0', 'base/seed=1/job=1', 'derived/seed=1/job=0']);
  expect(changed.exitCode).toBe(0);
  const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
  expect(summary.counts).toMatchObject({ total: 5, done: 5, ranNow: 3 });

  // The same through the CLI.
  const cli = await runCli(['status', runDir, '--explain', 'base/seed=1/job=0'], dir);
  expect(cli.code).toBe(0);
  expect(cli.stdout).toContain('will not run again: its result is in place');
  expect((await runCli(['status', path.join(dir, 'nowhere')], dir)).code).toBe(2);
});

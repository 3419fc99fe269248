// --log json: every line parses as JSON with the documented fields (src/runner/log.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const base = {
  at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
  level: expect.stringMatching(/^(info|error)$/),
  event: expect.any(String),
};
const job = { id: expect.stringMatching(/^[0-9a-f]{20}$/), key: expect.any(String), kind: 'selftest' };
const fieldsOf: Record<string, object> = {
  'run-start': {
    run: 'nightly',
    runDir: expect.any(String),
    config: 'nightly.json',
    jobs: 5,
    toRun: 5,
    reused: 0,
    failedEarlier: 0,
    blocked: 0,
    workers: expect.any(Number),
  },
  'job-start': { ...job, attempt: expect.any(Number) },
  'job-finish': { ...job, attempt: expect.any(Number), ms: expect.any(Number) },
  'job-fail': {
    ...job,
    attempt: expect.any(Number),
    ms: expect.any(Number),
    error: 'selftest job bad #0 throws as asked',
    final: expect.any(Boolean),
  },
  'job-blocked': { ...job, by: expect.stringMatching(/^[0-9a-f]{20}$/) },
  message: { text: expect.any(String) },
  'run-end': {
    run: 'nightly',
    exitCode: 1,
    ms: expect.any(Number),
    counts: { total: 5, done: 3, failed: 1, blocked: 1, pending: 0, ranNow: 3 },
    interrupted: false,
  },
};

test('--log json --log-file: one JSON object per line with the documented fields; stdout stays empty', async () => {
  const dir = tempDir();
  writeConfig(dir, 'nightly.json', {
    experiments: [
      { name: 'ok', kind: 'selftest', jobs: 3 },
      { name: 'bad', kind: 'selftest', action: 'throw' },
      { name: 'after-bad', kind: 'selftest', from: 'bad' },
    ],
  });
  const result = await runCli(
    ['nightly.json', '--log', 'json', '--log-file', 'logs/nightly.jsonl', '--workers', '2', '--retries', '1'],
    dir,
  );
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe('');
  const lines = readFileSync(path.join(dir, 'logs', 'nightly.jsonl'), 'utf8')
    .trimEnd()
    .split('\n');
  const events = lines.map((line) => JSON.parse(line));
  for (const event of events) {
    expect(event).toMatchObject(base);
    expect(Object.keys(fieldsOf)).toContain(event.event);
    expect(event).toMatchObject(fieldsOf[event.event]);
  }
  const names = events.map((e) => e.event);
  expect(names[0]).toBe('run-start');
  expect(names[names.length - 1]).toBe('run-end');
  expect(names.filter((n) => n === 'job-finish')).toHaveLength(3);
  expect(events.filter((e) => e.event === 'job-fail').map((e) => [e.attempt, e.final, e.level])).toEqual([
    [1, false, 'error'],
    [2, true, 'error'],
  ]);
  expect(names.filter((n) => n === 'job-blocked')).toHaveLength(1);

  // Without --log-file the JSON goes to stderr; a second run reuses what is done.
  const again = await runCli(['nightly.json', '--log', 'json'], dir);
  expect(again.code).toBe(1);
  expect(again.stdout).toBe('');
  const second = again.stderr
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
  expect(second[0]).toMatchObject({
    event: 'run-start',
    jobs: 5,
    toRun: 0,
    reused: 3,
    failedEarlier: 1,
    blocked: 1,
  });
  expect(second[second.length - 1]).toMatchObject({
    event: 'run-end',
    exitCode: 1,
    counts: { done: 3, ranNow: 0 },
  });
});

test('--log json: a usage error is a JSON line too (exit code 2)', async () => {
  const dir = tempDir();
  writeConfig(dir, 'nightly.json', { experiments: [{ name: 'ok', kind: 'selftest' }] });
  const result = await runCli(['nightly.json', '--log', 'json', '--shard', '0/3'], dir);
  expect(result.code).toBe(2);
  expect(JSON.parse(result.stderr)).toMatchObject({
    ...base,
    level: 'error',
    event: 'run-error',
    exitCode: 2,
    error: expect.stringContaining('--shard 0/3'),
  });
});

// Tiny jobs travel to the threads in batches. A batch whose thread dies (a job calls
// process.exit) keeps what it finished, and the rest run again one by one, so that only the
// job that ends its thread fails and no finished job runs twice.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readJournal } from '../../src/runner/journal';
import { runExperiments } from '../../src/runner/run';
import { writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const quiet = { progress: 'none' as const, log: () => {} };

test('a batch whose thread exits: the other jobs finish once each, the exiting job fails alone', async () => {
  const dir = tempDir();
  writeConfig(dir, 'batches.json', {
    defaults: { retries: 1 },
    experiments: [
      // The largest costs (still tiny): first in line, so they share the first batch with tiny jobs.
      { name: 'exits', kind: 'selftest', action: 'exit', ms: 5 },
      { name: 'throws', kind: 'selftest', action: 'throw', ms: 4 },
      { name: 'tiny', kind: 'selftest', jobs: 60, rows: 1 },
      { name: 'after', kind: 'selftest', from: 'tiny' },
    ],
  });
  const summary = await runExperiments({ config: 'batches.json', cwd: dir, workers: 2, ...quiet });

  expect(summary.counts).toMatchObject({ total: 63, done: 61, failed: 2, blocked: 0, pending: 0 });
  const failures = Object.fromEntries(summary.failures.map((f) => [f.key.split('/')[0], f]));
  expect(failures.exits.error).toBe('worker exited with code: 7');
  expect(failures.throws.error).toBe('selftest job throws #0 throws as asked');

  const events = readJournal(path.join(summary.runDir, 'journal.jsonl'));
  const jobEvents = events.filter((e) => 'key' in e);
  // Each failing job failed by its own doing twice (retries: 1), however often it was lost with a batch.
  for (const [name, error] of [
    ['exits', 'worker exited with code: 7'],
    ['throws', 'selftest job throws #0 throws as asked'],
  ]) {
    const own = jobEvents.filter(
      (e) => e.event === 'failed' && e.key.startsWith(`${name}/`) && e.error === error,
    );
    expect(own.map((e) => e.event === 'failed' && e.final)).toEqual([false, true]);
  }
  // The exiting job shared a batch: the jobs it took down were told so, then ran again alone.
  const lost = jobEvents.filter((e) => e.event === 'failed' && e.error.includes('each runs again alone'));
  expect(lost.length).toBeGreaterThan(1);
  expect(lost.every((e) => e.event === 'failed' && !e.final)).toBe(true);
  // Every tiny job finished exactly once, whatever batch it was lost with.
  for (let index = 0; index < 60; index++) {
    const key = `tiny/seed=1/job=${index}`;
    expect(jobEvents.filter((e) => 'key' in e && e.key === key && e.event === 'finished')).toHaveLength(1);
  }
  // Attempt numbers of a job never repeat.
  const started = jobEvents
    .filter((e) => e.event === 'started')
    .map((e) => 'key' in e && 'attempt' in e && `${e.key}#${e.attempt}`);
  expect(new Set(started).size).toBe(started.length);
  // The dependent received every tiny job's result and table.
  const after = readFileSync(
    path.join(summary.runDir, 'tables', 'after', 'seed=1', 'job=0', 'values.csv'),
    'utf8',
  )
    .split('\n')[1]
    .split(',');
  expect(Number(after[5])).toBe(60); // inputRows: one row from each of the 60 tables
});

test('batched jobs give the same tables as jobs run one at a time (a time limit turns batching off)', async () => {
  const config = {
    experiments: [
      { name: 'tiny', kind: 'selftest', jobs: 40, rows: 2 },
      { name: 'after', kind: 'selftest', from: 'tiny' },
    ],
  };
  const read = async (timeoutSeconds?: number) => {
    const dir = tempDir();
    writeConfig(dir, 'same.json', config);
    const summary = await runExperiments({
      config: 'same.json',
      cwd: dir,
      workers: 2,
      timeoutSeconds,
      ...quiet,
    });
    expect(summary.exitCode).toBe(0);
    return ['tiny/seed=1/job=7', 'tiny/seed=1/job=39', 'after/seed=1/job=0'].map((key) =>
      readFileSync(path.join(summary.runDir, 'tables', ...key.split('/'), 'values.csv'), 'utf8'),
    );
  };
  expect(await read()).toEqual(await read(60));
});

// Jobs that throw, call process.exit, run out of memory or hang: each is retried, then recorded
// as failed with its error; it blocks only its dependents; everything else finishes.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readJournal, type JournalEvent } from '../../src/runner/journal';
import { runExperiments } from '../../src/runner/run';
import { writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const quiet = { progress: 'none' as const, log: () => {} };

function jobEvents(events: JournalEvent[], keyPrefix: string): JournalEvent[] {
  return events.filter((e) => 'key' in e && e.key.startsWith(keyPrefix));
}

describe('failing jobs', () => {
  test('throw, process.exit, out of memory and a hang: retried, failed, isolated', async () => {
    const dir = tempDir();
    writeConfig(dir, 'failures.json', {
      defaults: { workerMemoryMb: 96, timeoutSeconds: 2, retries: 1 },
      experiments: [
        { name: 'ok', kind: 'selftest', jobs: 4, ms: 20 },
        { name: 'after-ok', kind: 'selftest', from: 'ok' },
        { name: 'throws', kind: 'selftest', action: 'throw' },
        { name: 'exits', kind: 'selftest', action: 'exit' },
        { name: 'oom', kind: 'selftest', action: 'oom' },
        { name: 'hangs', kind: 'selftest', action: 'hang' },
        { name: 'flaky', kind: 'selftest', action: 'flaky' },
        { name: 'after-throws', kind: 'selftest', from: 'throws' },
      ],
    });
    const summary = await runExperiments({ config: 'failures.json', cwd: dir, workers: 2, ...quiet });

    expect(summary.exitCode).toBe(1);
    expect(summary.counts).toMatchObject({ total: 11, done: 6, failed: 4, blocked: 1, pending: 0 });
    const errors = Object.fromEntries(summary.failures.map((f) => [f.key.split('/')[0], f]));
    expect(errors.throws.error).toBe('selftest job throws #0 throws as asked');
    expect(errors.exits.error).toBe('worker exited with code: 7');
    expect(errors.oom.error).toMatch(
      /^ran out of memory: its thread's JavaScript heap reached the limit of 96 MB .*\[ERR_WORKER_OUT_OF_MEMORY\]$/,
    );
    expect(errors.hangs.error).toBe('timed out after 2 s (its thread was ended)');
    for (const failure of summary.failures) expect(failure.attempts).toBe(2);

    const events = readJournal(path.join(summary.runDir, 'journal.jsonl'));
    for (const name of ['throws', 'exits', 'oom', 'hangs']) {
      const failed = jobEvents(events, `${name}/`).filter((e) => e.event === 'failed');
      expect(failed.map((e) => e.event === 'failed' && e.final)).toEqual([false, true]);
    }
    // The flaky job failed once, then succeeded on its retry.
    expect(jobEvents(events, 'flaky/').map((e) => e.event)).toEqual([
      'started',
      'failed',
      'started',
      'finished',
    ]);
    // Only the dependent of the failed job is blocked; the dependent of the good jobs ran.
    const blocked = events.filter((e) => e.event === 'blocked');
    expect(blocked.map((e) => 'key' in e && e.key)).toEqual(['after-throws/seed=1/job=0']);
    const afterOk = JSON.parse(
      readFileSync(path.join(summary.runDir, 'tables', 'after-ok', 'seed=1', 'job=0', 'values.csv'), 'utf8')
        .split('\n')[1]
        .split(',')[5],
    );
    expect(afterOk).toBe(12); // it read the 4 tables of 3 rows of the jobs it needs

    // No attempt folder is left behind; only finished jobs have folders.
    const names = readdirSync(path.join(summary.runDir, 'jobs'));
    expect(names.filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect(names.filter((n) => !n.startsWith('.'))).toHaveLength(6);
  });

  test('--fail-fast starts nothing after the first failure', async () => {
    const dir = tempDir();
    writeConfig(dir, 'fast.json', {
      experiments: [
        // The largest cost goes first, so the failure comes before the other jobs.
        { name: 'throws', kind: 'selftest', action: 'throw', ms: 5000 },
        { name: 'ok', kind: 'selftest', jobs: 5 },
      ],
    });
    const summary = await runExperiments({
      config: 'fast.json',
      cwd: dir,
      workers: 1,
      retries: 0,
      failFast: true,
      ...quiet,
    });
    expect(summary.exitCode).toBe(1);
    expect(summary.counts).toMatchObject({ failed: 1, done: 0, pending: 5 });
  });
});

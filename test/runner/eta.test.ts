// The ETA: from the plan's costs before anything has finished (never 0 s then), from the pace
// measured once jobs finish, a training timed by its own epochs; `status` shows it with the jobs
// running now, read by another process from the run folder alone.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { PlanJob } from '../../src/plan/build-plan';
import { formatDuration } from '../../src/duration';
import { estimateEta, type EtaJob, formatEta } from '../../src/runner/eta';
import { formatLive, readLiveRun } from '../../src/runner/live-run';
import { createProgress } from '../../src/runner/progress';
import { formatStatus } from '../../src/runner/status';
import { sleep, startCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const job = (id: string, cost: number, state: EtaJob['state'], more: Partial<EtaJob> = {}): EtaJob => ({
  id,
  needs: [],
  cost,
  state,
  ...more,
});

test('estimateEta: plan costs before any job finished, the measured pace after, the longest chain as a floor', () => {
  // Nothing finished: 4 jobs of cost 3 on 2 workers: the plan's 1 s per unit, 6 s.
  const before = estimateEta(
    [0, 1, 2, 3].map((i) => job(`j${i}`, 3, 'waiting')),
    2,
  );
  expect(before).toEqual({ seconds: 6, measured: false, overdue: false, secondsPerCost: 1 });
  // Two jobs of cost 10 took 5 s each: the pace moves toward 0.5 s per unit, (5 + 10) / (5 + 20).
  const measured = estimateEta(
    [
      job('a', 10, 'finished', { seconds: 5 }),
      job('b', 10, 'finished', { seconds: 5 }),
      job('c', 10, 'waiting'),
    ],
    1,
  );
  expect(measured.secondsPerCost).toBeCloseTo(0.6);
  expect(measured).toMatchObject({ seconds: 6, measured: true, overdue: false });
  // A training 3 epochs of 12 into its run, 30 s in: 90 s left at its own pace, whatever its cost says.
  expect(estimateEta([job('t', 1000, 'running', { seconds: 30, fraction: 0.25 })], 4).seconds).toBeCloseTo(
    90,
  );
  // Many workers do not shorten a chain: b needs a (cost 4 then 6), beside 8 small jobs.
  const chain = [job('a', 4, 'waiting'), job('b', 6, 'waiting', { needs: ['a'] })];
  const small = Array.from({ length: 8 }, (_, i) => job(`s${i}`, 0.5, 'waiting'));
  expect(estimateEta([...chain, ...small], 8).seconds).toBe(10);
  // A job past its estimate among jobs that wait: one among many. Alone at the end: the ETA is unknown.
  expect(estimateEta([job('x', 1, 'running', { seconds: 9 }), job('y', 2, 'waiting')], 1)).toMatchObject({
    seconds: 2,
    overdue: false,
  });
  const last = estimateEta([job('x', 1, 'running', { seconds: 9 })], 1);
  expect(last).toMatchObject({ seconds: 0, overdue: true });
  expect(formatEta(last, formatDuration)).toBe('ETA unknown: the jobs left run past their estimates');
});

test('status of a live run, from another process: the job running with its time, and an ETA that is not 0 before the first job ends', async () => {
  const dir = tempDir();
  writeConfig(dir, 'slow.json', {
    name: 'slow',
    experiments: [{ name: 'nap', kind: 'selftest', jobs: 4, action: 'sleep', ms: 1500 }],
  });
  const run = startCli(['slow.json', '--workers', '1', '--progress', 'lines'], dir);
  const runDir = path.join(dir, 'outputs', 'slow');
  try {
    let live = undefined as ReturnType<typeof readLiveRun> | undefined;
    // Until a thread has begun a job (the progress file says so) and none has finished.
    for (let i = 0; i < 200; i++) {
      if (existsSync(path.join(runDir, 'progress.jsonl'))) {
        live = readLiveRun(runDir);
        if (live.running.some((job) => !job.queued)) break;
      }
      await sleep(50);
    }
    expect(live?.counts.done).toBe(0);
    expect(live!.eta!.measured).toBe(false);
    // 4 jobs of cost 1.5 on 1 thread, one of them begun: about 6 s, from the plan alone.
    expect(live!.eta!.seconds).toBeGreaterThan(4);
    expect(live!.eta!.seconds).toBeLessThanOrEqual(6);
    const lines = formatStatus(live!, formatLive(live!));
    expect(lines).toContainEqual(expect.stringMatching(/^running now on 1 thread:$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}nap\/seed=1\/job=\d {2}for \d s$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ETA ≈ [4-6] s \(from the plan's costs\)$/));
    await run.lines(/^done +\[1\/4\]/, 1);
    // The journal records it within its next flush (200 ms).
    let after = readLiveRun(runDir);
    for (let i = 0; i < 20 && !after.eta?.measured; i++) {
      await sleep(50);
      after = readLiveRun(runDir);
    }
    expect(after.eta!.measured).toBe(true);
    expect(after.eta!.seconds).toBeGreaterThan(2);
  } finally {
    const result = await run.done;
    expect(result.code).toBe(0);
  }
  // The run's own heartbeat lines are not asked for here; its progress file holds a begun event per job.
  const begun = readFileSync(path.join(runDir, 'progress.jsonl'), 'utf8').match(/"event":"begun"/g);
  expect(begun).toHaveLength(4);
});

test('bar mode: the whole run with its ETA, and a bar of epochs for a training while it runs', async () => {
  const stream = new PassThrough();
  let drawn = '';
  stream.on('data', (chunk) => (drawn += chunk));
  const bars = createProgress('bars', undefined, undefined, stream);
  const train = { id: 't', key: 'train/seed=1', kind: 'train', cost: 30, needs: {} } as unknown as PlanJob;
  const probe = {
    id: 'p',
    key: 'shift/seed=1',
    kind: 'shift',
    cost: 2,
    needs: { model: { id: 't', key: 'train/seed=1' } },
  } as unknown as PlanJob;
  bars.start(
    [
      { kind: 'train', total: 1, done: 0, failed: 0 },
      { kind: 'shift', total: 1, done: 0, failed: 0 },
    ],
    { jobs: [train, probe], toRun: new Set(['t', 'p']), workers: 2 },
  );
  try {
    bars.started(train);
    bars.begun(train, 1);
    for (const epoch of [1, 2])
      bars.running(train, 1, {
        text: `epoch ${epoch}/3`,
        fields: { epoch, epochs: 3, loss: 1 / epoch, accuracy: 0.5 + epoch / 10 },
      });
    await sleep(250);
  } finally {
    bars.finished(train, 9000);
    bars.stop();
  }
  expect(drawn).toMatch(/all jobs \|[^|]+\| 0\/2 done, 0 failed \| ETA ≈ \d+ s \(from the plan's costs\)/);
  expect(drawn).toMatch(/ {2}train\/seed=1 \|[^|]+\| epoch 2\/3: loss 0\.5000, accuracy 0\.7000/);
  expect(drawn).not.toMatch(/ETA 0 ?s/);
});

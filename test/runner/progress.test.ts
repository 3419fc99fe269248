// Nightly logs show life: in progress lines and in --log json, a training job reports every
// epoch (loss, accuracy, ETA), and a log silent for `heartbeatMs` says which job is running.
import type { JobProgress } from '../../src/jobs/kind';
import type { PlanJob } from '../../src/plan/build-plan';
import { createEventProgress, createProgress } from '../../src/runner/progress';
import { runExperiments } from '../../src/runner/run';
import { sleep, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const config = {
  defaults: {
    data: { source: 'mnist', train: { first: 600 }, test: { first: 100 } },
    training: { epochs: 3 },
  },
  experiments: [
    { name: 'train', kind: 'train' },
    { name: 'sleepy', kind: 'selftest', action: 'sleep', ms: 1500 },
  ],
};

test('--progress lines: one line per training epoch with loss, accuracy and ETA; heartbeats while a job runs quietly', async () => {
  const dir = tempDir();
  writeConfig(dir, 'nightly.json', config);
  const lines: string[] = [];
  const summary = await runExperiments({
    config: 'nightly.json',
    cwd: dir,
    workers: 2,
    progress: 'lines',
    heartbeatMs: 300,
    log: (line) => lines.push(line),
  });
  expect(summary.exitCode).toBe(0);
  const epochs = lines.filter((line) => line.startsWith('running train/seed=1: '));
  expect(epochs).toEqual([
    expect.stringMatching(
      /^running train\/seed=1: epoch 1\/3: loss \d\.\d{4}, accuracy 0\.\d{4}, ETA \d+ s$/,
    ),
    expect.stringMatching(
      /^running train\/seed=1: epoch 2\/3: loss \d\.\d{4}, accuracy 0\.\d{4}, ETA \d+ s$/,
    ),
    expect.stringMatching(/^running train\/seed=1: epoch 3\/3: loss \d\.\d{4}, accuracy 0\.\d{4}, ETA 0 s$/),
  ]);
  // The epoch lines come before the job's own "done" line.
  expect(lines.indexOf(epochs[2])).toBeLessThan(lines.findIndex((line) => / train\/seed=1 \(/.test(line)));
  // While tfjs loads and the sleepy job sleeps, nothing else is written: heartbeats name the job running longest.
  const heartbeats = lines.filter((line) =>
    /^running \[\d\/3\] (train\/seed=1|sleepy\/seed=1\/job=0) for \d+ s/.test(line),
  );
  expect(heartbeats.length).toBeGreaterThanOrEqual(2);
});

test('--log json: job-progress events with the epoch as numbers, heartbeat events naming the longest-running job', async () => {
  const dir = tempDir();
  writeConfig(dir, 'nightly.json', config);
  const events: { event: string; fields: Record<string, unknown> }[] = [];
  const summary = await runExperiments({
    config: 'nightly.json',
    cwd: dir,
    workers: 2,
    progress: 'none',
    heartbeatMs: 300,
    log: () => {},
    events: (event, fields) => events.push({ event, fields }),
  });
  expect(summary.exitCode).toBe(0);
  const progress = events.filter((e) => e.event === 'job-progress').map((e) => e.fields);
  expect(progress.map((p) => p.epoch)).toEqual([1, 2, 3]);
  for (const p of progress) {
    expect(p).toMatchObject({
      key: 'train/seed=1',
      kind: 'train',
      attempt: 1,
      epochs: 3,
      text: expect.any(String),
    });
    expect(p.loss).toBeGreaterThan(0);
    expect(p.accuracy).toBeGreaterThan(0);
    expect(p.accuracy).toBeLessThanOrEqual(1);
    expect(p.etaSeconds).toBeGreaterThanOrEqual(0);
  }
  expect(progress[2].etaSeconds).toBe(0);
  const heartbeats = events.filter((e) => e.event === 'heartbeat').map((e) => e.fields);
  expect(heartbeats.length).toBeGreaterThanOrEqual(2);
  for (const heartbeat of heartbeats)
    expect(heartbeat).toEqual({
      done: expect.any(Number),
      total: 3,
      running: expect.any(Number),
      longest: expect.stringMatching(/^(train\/seed=1|sleepy\/seed=1\/job=0)$/),
      longestSeconds: expect.any(Number),
      // The run's ETA (eta.ts): from the plan's costs until a job has finished.
      etaSeconds: expect.any(Number),
      etaMeasured: expect.any(Boolean),
    });
});

test('a heartbeat comes only after a silence of heartbeatMs, and never when nothing runs', async () => {
  const job = { id: 'x', key: 'slow/job', kind: 'k' } as PlanJob;
  const update: JobProgress = { text: 'step 1/2', fields: { step: 1 } };
  const lines: string[] = [];
  const events: unknown[] = [];
  const line = createProgress('lines', (text) => lines.push(text), 100);
  const json = createEventProgress((event, fields) => events.push({ event, ...fields }), 100);
  for (const p of [line, json]) p.start([{ kind: 'k', total: 1, done: 0, failed: 0 }]);
  await sleep(250);
  expect(lines).toEqual([]); // nothing runs: no heartbeat
  for (const p of [line, json]) {
    p.started(job);
    p.running(job, 1, update); // a line: the silence starts again
  }
  await sleep(40);
  expect(lines).toEqual(['running slow/job: step 1/2']);
  await sleep(160);
  expect(lines[1]).toMatch(/^running \[0\/1\] slow\/job for 0 s$/);
  for (const p of [line, json]) p.finished(job, 400);
  const count = lines.length;
  await sleep(250);
  expect(lines.length).toBe(count);
  for (const p of [line, json]) p.stop();
  expect(events[0]).toEqual({
    event: 'job-progress',
    id: 'x',
    key: 'slow/job',
    kind: 'k',
    attempt: 1,
    text: 'step 1/2',
    step: 1,
  });
  expect(events[1]).toMatchObject({ event: 'heartbeat', done: 0, total: 1, running: 1, longest: 'slow/job' });
});

// The scheduler alone, without threads: a fake pool (test/helpers/fake-pool.ts) plays the worker
// threads, so that batch loss, retries, blocking, --fail-fast, time limits and stopping are each
// tested in milliseconds against a real run folder and journal.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Plan, PlanJob } from '../../src/plan/build-plan';
import { type JobEvent, Journal, readJournal } from '../../src/runner/journal';
import { initialOutcomes, type Outcomes } from '../../src/runner/outcomes';
import { createProgress } from '../../src/runner/progress';
import { RunFolder } from '../../src/runner/run-folder';
import { runScheduler, type SchedulerOptions } from '../../src/runner/scheduler';
import { type Action, FakePool } from '../helpers/fake-pool';
import { tempDir } from '../helpers/temp-dir';

interface JobSpec {
  key: string;
  needs?: string[];
  cost?: number;
}

const idOf = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 16);

function makePlan(specs: JobSpec[]): Plan {
  const jobs: PlanJob[] = specs.map(({ key, needs = [], cost = 1 }) => ({
    id: idOf(key),
    key,
    experiment: key.split('/')[0],
    kind: 'fake',
    code: 'code',
    params: {},
    needs: Object.fromEntries(needs.map((need) => [need, { key: need, id: idOf(need) }])),
    cost,
    work: cost,
    publish: [],
  }));
  return { name: 'fake', codeVersion: 'test', jobs };
}

interface Run {
  outcomes: Outcomes;
  initial: Outcomes;
  pool: FakePool;
  events: JobEvent[];
  plan: Plan;
}

/** Runs `specs` through the scheduler on a fake pool of `threads` threads, in a fresh run folder. */
async function schedule(
  specs: JobSpec[],
  script: (key: string, attempt: number) => Action,
  options: Partial<SchedulerOptions> & { threads?: number } = {},
): Promise<Run> {
  const folder = new RunFolder(path.join(tempDir(), 'run'));
  mkdirSync(folder.jobsDir, { recursive: true });
  const plan = makePlan(specs);
  const journal = new Journal(folder.journalFile);
  const pool = new FakePool(options.threads ?? 2, script);
  const initial = initialOutcomes({ plan, folder, previous: new Map() });
  const outcomes = await runScheduler(
    {
      plan,
      folder,
      journal,
      progress: createProgress('none'),
      createPool: () => pool,
      workers: options.threads ?? 2,
      retries: 1,
      failFast: false,
      stop: new AbortController().signal,
      ...options,
    },
    initial,
  );
  journal.flush();
  const events = readJournal(folder.journalFile).filter((e): e is JobEvent => 'key' in e);
  return { outcomes, initial, pool, events, plan };
}

const ok = (key: string): Action => ({ result: { from: key } });
const stateOf = (run: Run, key: string) => run.outcomes.get(idOf(key));
const eventsOf = (run: Run, key: string, event: JobEvent['event']) =>
  run.events.filter((e) => e.key === key && e.event === event);

test('returns every outcome and leaves the map it was given as it was; a job gets the results it needs', async () => {
  const run = await schedule([{ key: 'a' }, { key: 'b', needs: ['a'] }], ok);
  expect(stateOf(run, 'a')).toEqual({ state: 'done', attempts: 1 });
  expect(stateOf(run, 'b')).toEqual({ state: 'done', attempts: 1 });
  expect([...run.initial.values()]).toEqual([
    { state: 'pending', attempts: 0 },
    { state: 'pending', attempts: 0 },
  ]);
  const b = run.pool.tasks.find((task) => task.header.key === 'b')!;
  expect(b.needs.a).toMatchObject({ id: idOf('a'), kind: 'fake', result: { from: 'a' } });
  expect(run.pool.closed).toBe(true);
});

test('with onPoolClosing, the scheduler returns while the threads still end, and hands over their ending', async () => {
  let endThreads!: () => void;
  const ending = new Promise<void>((resolve) => (endThreads = resolve));
  let handed: Promise<void> | undefined;
  const slowToClose = new FakePool(2, ok);
  slowToClose.close = () => {
    slowToClose.closed = true;
    return ending;
  };
  const run = await schedule([{ key: 'a' }, { key: 'b' }], ok, {
    createPool: () => slowToClose,
    onPoolClosing: (closed) => (handed = closed),
  });
  expect(stateOf(run, 'a')!.state).toBe('done');
  expect(slowToClose.closed).toBe(true);
  let ended = false;
  void handed!.then(() => (ended = true));
  await Promise.resolve();
  expect(ended).toBe(false);
  endThreads();
  await handed;
  expect(ended).toBe(true);
});

test('creates no pool when nothing is left to run', async () => {
  const folder = new RunFolder(path.join(tempDir(), 'run'));
  const plan = makePlan([{ key: 'a' }]);
  const initial: Outcomes = new Map([[idOf('a'), { state: 'done', attempts: 0, skipped: true }]]);
  const outcomes = await runScheduler(
    {
      plan,
      folder,
      journal: new Journal(path.join(tempDir(), 'journal.jsonl')),
      progress: createProgress('none'),
      createPool: () => {
        throw new Error('no pool expected');
      },
      workers: 2,
      retries: 1,
      failFast: false,
      stop: new AbortController().signal,
    },
    initial,
  );
  expect(outcomes).toEqual(initial);
});

test('a job that fails is retried `retries` times, then recorded as failed and blocks its dependents', async () => {
  const run = await schedule(
    [
      { key: 'flaky' },
      { key: 'bad' },
      { key: 'after-bad', needs: ['bad'] },
      { key: 'later', needs: ['after-bad'] },
    ],
    (key, attempt) =>
      key === 'bad' || (key === 'flaky' && attempt === 1) ? { throws: `${key} broke` } : ok(key),
  );
  expect(stateOf(run, 'flaky')).toEqual({ state: 'done', attempts: 2 });
  expect(stateOf(run, 'bad')).toEqual({ state: 'failed', attempts: 2, error: 'bad broke', transient: false });
  for (const key of ['after-bad', 'later'])
    expect(stateOf(run, key)).toEqual({ state: 'blocked', attempts: 0, blockedBy: idOf('bad') });
  expect(eventsOf(run, 'bad', 'failed').map((e) => e.event === 'failed' && e.final)).toEqual([false, true]);
  expect(eventsOf(run, 'later', 'blocked')).toEqual([expect.objectContaining({ by: idOf('bad') })]);
  // A blocked job never reaches a thread.
  expect(run.pool.tasks.map((task) => task.header.key).sort()).toEqual(['bad', 'bad', 'flaky', 'flaky']);

  const once = await schedule([{ key: 'bad' }], () => ({ throws: 'no' }), { retries: 0 });
  expect(stateOf(once, 'bad')).toEqual({ state: 'failed', attempts: 1, error: 'no', transient: false });
});

test('a batch whose thread ends: jobs it finished are kept, the rest run again alone, only the culprit fails', async () => {
  const tiny = Array.from({ length: 40 }, (_, i) => ({ key: `tiny/${i}`, cost: 0.01 }));
  tiny.splice(5, 0, { key: 'killer', cost: 0.01 });
  const run = await schedule(tiny, (key) => (key === 'killer' ? 'end-thread' : ok(key)), { threads: 1 });

  expect(stateOf(run, 'killer')).toMatchObject({ state: 'failed', error: 'worker exited with code: 7' });
  // The killer failed by its own doing twice (retries: 1), however often it was lost with a batch.
  const own = eventsOf(run, 'killer', 'failed').filter(
    (e) => e.event === 'failed' && e.error === 'worker exited with code: 7',
  );
  expect(own.map((e) => e.event === 'failed' && e.final)).toEqual([false, true]);
  for (let i = 0; i < 40; i++) {
    expect(stateOf(run, `tiny/${i}`)?.state).toBe('done');
    expect(eventsOf(run, `tiny/${i}`, 'finished')).toHaveLength(1);
  }
  // The first batch held the killer among other jobs: those before it were kept, those after it ran again alone.
  const first = run.pool.batches[0];
  expect(first.length).toBeGreaterThan(6);
  expect(first.slice(0, 6)).toEqual(['tiny/0#1', 'tiny/1#1', 'tiny/2#1', 'tiny/3#1', 'tiny/4#1', 'killer#1']);
  expect(eventsOf(run, 'tiny/0', 'failed')).toHaveLength(0);
  // Which job ended the thread is unknown at first: the killer and the jobs after it run again alone.
  const lost = run.events.filter((e) => e.event === 'failed' && e.error.includes('each runs again alone'));
  expect(lost.map((e) => e.key)).toEqual(first.slice(5).map((attempt) => attempt.split('#')[0]));
  expect(lost.every((e) => e.event === 'failed' && !e.final)).toBe(true);
  for (const batch of run.pool.batches.slice(1))
    if (batch.some((attempt) => attempt.startsWith('killer') || lost.some((e) => attempt === `${e.key}#2`)))
      expect(batch).toHaveLength(1);
});

test('--fail-fast: after the first failure nothing new starts; jobs not yet begun stay pending', async () => {
  const run = await schedule(
    [{ key: 'bad', cost: 5 }, { key: 'x1' }, { key: 'x2' }, { key: 'x3' }],
    (key) => (key === 'bad' ? { throws: 'broke' } : ok(key)),
    { threads: 1, failFast: true, retries: 0 },
  );
  expect(stateOf(run, 'bad')).toMatchObject({ state: 'failed', attempts: 1 });
  for (const key of ['x1', 'x2', 'x3']) expect(stateOf(run, key)).toEqual({ state: 'pending', attempts: 0 });
  expect(run.pool.tasks.map((task) => task.header.key)).toEqual(['bad']);
});

test('a job past its time limit has its thread ended and fails with the limit in its error', async () => {
  const run = await schedule(
    [{ key: 'slow', cost: 2 }, { key: 'quick' }],
    (key) => (key === 'slow' ? 'hang' : ok(key)),
    {
      timeoutMs: 50,
      retries: 0,
    },
  );
  expect(stateOf(run, 'slow')).toEqual({
    state: 'failed',
    attempts: 1,
    error: 'timed out after 0.05 s (its thread was ended)',
    transient: true,
  });
  expect(stateOf(run, 'quick')?.state).toBe('done');
});

test.each([
  ['no time limit', undefined, 0],
  // With a time limit the runner knows the attempt had begun: it journals the interruption.
  ['a time limit', 60_000, 1],
])(
  'stopping (%s) ends the running job, which stays pending; nothing else starts',
  async (_, timeoutMs, attempts) => {
    const stop = new AbortController();
    const run = await schedule(
      [{ key: 'running', cost: 2 }, { key: 'next', needs: ['running'] }, { key: 'other' }],
      (key) => {
        if (key !== 'running') return ok(key);
        setTimeout(() => stop.abort(), 20);
        return 'hang';
      },
      { threads: 1, stop: stop.signal, timeoutMs },
    );
    expect(stateOf(run, 'running')).toEqual({ state: 'pending', attempts });
    expect(stateOf(run, 'next')).toEqual({ state: 'pending', attempts: 0 });
    expect(eventsOf(run, 'running', 'failed')).toEqual(
      attempts ? [expect.objectContaining({ error: 'interrupted: the run was stopped', final: false })] : [],
    );
    expect(run.pool.tasks.map((task) => task.header.key)).toEqual(['running']);
  },
);

// Runs the jobs of a plan that still need running: ready jobs go to free worker threads, longest
// remaining chain first; failures are retried, then recorded, and block only their dependents.
// Tiny jobs travel in batches (one pool task for several), so that a sweep of thousands of them
// is not paced by the round trip to a thread.
import { existsSync, rmSync } from 'node:fs';
import type { JsonValue, NeededJob } from '../experiments/kind';
import type { Plan, PlanJob } from '../plan/build-plan';
import { jobHeader, normalizeResult, readRecord } from './job-record';
import type { Journal, JobEvent } from './journal';
import type { JobPool } from './pool';
import type { Progress } from './progress';
import type { JobBatch, JobReply, JobTask } from './task';
import type { RunFolder } from './run-folder';

export type JobState = 'done' | 'failed' | 'blocked' | 'pending';

export interface JobOutcome {
  state: JobState;
  /** Attempts made in this run. */
  attempts: number;
  /** The job had its result before this run started. */
  skipped?: boolean;
  error?: string;
  /** For blocked jobs: the failed job that blocks it. */
  blockedBy?: string;
}

export interface SchedulerOptions {
  plan: Plan;
  folder: RunFolder;
  journal: Journal;
  progress: Progress;
  /** Created only when some job has to run. */
  createPool: () => JobPool;
  workers: number;
  retries: number;
  timeoutMs?: number;
  failFast: boolean;
  force: boolean;
  rerunFailed: boolean;
  /** The journal's last event per job id, from earlier runs. */
  previous: Map<string, JobEvent>;
  /** Aborting stops the run: running jobs are ended and stay pending. */
  stop: AbortSignal;
}

/** Time a worker gets to stop on its own after its job's time limit before its thread is ended. */
const TIMEOUT_GRACE_MS = 1000;

/** Jobs estimated at about 20 ms or less may share a pool task (a batch) with other such jobs. */
const SMALL_JOB_COST = 0.02;
/** Most jobs in one batch: keeps the progress display and the end of a sweep fluid. */
const MAX_BATCH = 32;

/** Decides what is done, failed or blocked before anything runs. */
export function initialOutcomes(
  options: Pick<SchedulerOptions, 'plan' | 'folder' | 'force' | 'rerunFailed' | 'previous'>,
): Map<string, JobOutcome> {
  const outcomes = new Map<string, JobOutcome>();
  for (const job of options.plan.jobs) {
    const last = options.previous.get(job.id);
    if (!options.force && existsSync(options.folder.resultFile(job.id)))
      outcomes.set(job.id, { state: 'done', attempts: 0, skipped: true });
    else if (!options.force && !options.rerunFailed && last?.event === 'failed' && last.final)
      outcomes.set(job.id, { state: 'failed', attempts: 0, error: last.error });
    else outcomes.set(job.id, { state: 'pending', attempts: 0 });
  }
  // Jobs come after their needs in the plan, so one pass spreads blocking downstream.
  for (const job of options.plan.jobs) {
    const outcome = outcomes.get(job.id)!;
    if (outcome.state !== 'pending') continue;
    for (const need of Object.values(job.needs)) {
      const needed = outcomes.get(need.id)!;
      if (needed.state === 'failed' || needed.state === 'blocked') {
        outcomes.set(job.id, { state: 'blocked', attempts: 0, blockedBy: needed.blockedBy ?? need.id });
        break;
      }
    }
  }
  return outcomes;
}

export async function runScheduler(
  options: SchedulerOptions,
  outcomes: Map<string, JobOutcome>,
): Promise<void> {
  const { plan, folder, journal, progress } = options;
  const byId = new Map(plan.jobs.map((job) => [job.id, job]));
  const dependents = new Map<string, PlanJob[]>();
  for (const job of plan.jobs) {
    for (const need of new Set(Object.values(job.needs).map((n) => n.id))) {
      const list = dependents.get(need);
      if (list) list.push(job);
      else dependents.set(need, [job]);
    }
  }

  for (const job of plan.jobs) {
    const outcome = outcomes.get(job.id)!;
    if (outcome.state === 'blocked') {
      journal.append({ event: 'blocked', id: job.id, key: job.key, kind: job.kind, by: outcome.blockedBy! });
      progress.blocked(job, byId.get(outcome.blockedBy!)!);
    }
  }

  // Priority: the job's cost plus the costliest chain of dependents after it.
  const priority = new Map<string, number>();
  for (let i = plan.jobs.length - 1; i >= 0; i--) {
    const job = plan.jobs[i];
    const after = (dependents.get(job.id) ?? []).reduce((most, d) => Math.max(most, priority.get(d.id)!), 0);
    priority.set(job.id, job.cost + after);
  }
  // Ranks are looked up once per push, not on every comparison inside the heap.
  const ranks = new Map<string, Ranked>(
    plan.jobs.map((job, order) => [job.id, { job, priority: priority.get(job.id)!, order }]),
  );
  const queue = new Heap<Ranked>((a, b) => b.priority - a.priority || a.order - b.order);
  const ready = {
    get size() {
      return queue.size;
    },
    push: (job: PlanJob) => queue.push(ranks.get(job.id)!),
    pop: () => queue.pop()?.job,
    peek: () => queue.peek()?.job,
  };
  const waiting = new Map<string, number>();
  for (const job of plan.jobs) {
    if (outcomes.get(job.id)!.state !== 'pending') continue;
    const unmet = new Set(
      Object.values(job.needs)
        .filter((n) => outcomes.get(n.id)!.state !== 'done')
        .map((n) => n.id),
    ).size;
    waiting.set(job.id, unmet);
    if (unmet === 0) ready.push(job);
  }
  if (ready.size === 0) return;

  const results = new Map<string, JsonValue>();
  const resultOf = (id: string): JsonValue => {
    if (!results.has(id)) results.set(id, readRecord(folder, id)?.result ?? null);
    return results.get(id)!;
  };

  const pool = options.createPool();
  // One task waiting in piscina's queue beside each running one: piscina hands it to a thread that
  // finishes from within its reply handler, before this scheduler's own callbacks run (time limits
  // start when a batch does, not when it is queued).
  const inFlight = options.workers * 2;
  let stopping = false;
  /** Batches handed to the pool and not yet settled. */
  const dispatches = new Set<Dispatch>();
  /** Jobs of a batch whose thread died without saying which job killed it: each runs alone from now on. */
  const solo = new Set<string>();
  /** Attempts lost with such a batch, which do not count against a job's retries. */
  const spared = new Map<string, number>();
  // A time limit is per job, and --fail-fast starts nothing after a failure: both want one job per task.
  const batching = options.timeoutMs === undefined && !options.failFast;
  const batchable = (job: PlanJob) => batching && job.cost <= SMALL_JOB_COST && !solo.has(job.id);

  /** No new tasks; tasks no thread has begun yet are taken back (they stay pending). */
  const stopDispatching = () => {
    stopping = true;
    for (const dispatch of dispatches) if (!dispatch.begun) dispatch.abort('cancelled');
  };
  const onStop = () => {
    stopDispatching();
    for (const dispatch of dispatches) dispatch.abort('stopped');
  };

  const blockDownstream = (failed: PlanJob) => {
    const queue = [...(dependents.get(failed.id) ?? [])];
    for (let i = 0; i < queue.length; i++) {
      const job = queue[i];
      const outcome = outcomes.get(job.id)!;
      if (outcome.state !== 'pending') continue;
      outcomes.set(job.id, { state: 'blocked', attempts: 0, blockedBy: failed.id });
      journal.append({ event: 'blocked', id: job.id, key: job.key, kind: job.kind, by: failed.id });
      progress.blocked(job, failed);
      queue.push(...(dependents.get(job.id) ?? []));
    }
  };

  const succeed = (attempt: Attempt, ms: number, result: unknown) => {
    const { job, number } = attempt;
    journal.append({ event: 'finished', id: job.id, key: job.key, kind: job.kind, attempt: number, ms });
    outcomes.set(job.id, { state: 'done', attempts: number });
    if (dependents.has(job.id)) results.set(job.id, normalizeResult(result));
    progress.finished(job, ms);
    for (const next of new Set(dependents.get(job.id) ?? [])) {
      const left = waiting.get(next.id)! - 1;
      waiting.set(next.id, left);
      if (left === 0 && outcomes.get(next.id)!.state === 'pending') ready.push(next);
    }
  };

  const fail = (attempt: Attempt, dispatch: Dispatch, error: unknown) => {
    const { job, dir, number } = attempt;
    rmSync(dir, { recursive: true, force: true });
    if (dispatch.abortedAs === 'cancelled' && !dispatch.begun) {
      // Never begun (--fail-fast, or the run stopped): the job stays pending, as if never dispatched.
      outcomes.get(job.id)!.attempts--;
      return;
    }
    const ms = Date.now() - dispatch.startedAt;
    if (dispatch.abortedAs === 'stopped' || options.stop.aborted) {
      journal.append({
        event: 'failed',
        id: job.id,
        key: job.key,
        kind: job.kind,
        attempt: number,
        ms,
        error: 'interrupted: the run was stopped',
        final: false,
      });
      return;
    }
    const message =
      dispatch.abortedAs === 'timeout'
        ? `timed out after ${options.timeoutMs! / 1000} s (its thread was ended)`
        : describeError(error);
    const final = number > options.retries + (spared.get(job.id) ?? 0);
    journal.append({
      event: 'failed',
      id: job.id,
      key: job.key,
      kind: job.kind,
      attempt: number,
      ms,
      error: message,
      final,
    });
    progress.failed(job, message, number, final);
    if (!final) {
      ready.push(job);
      return;
    }
    outcomes.set(job.id, { state: 'failed', attempts: number, error: message });
    blockDownstream(job);
    if (options.failFast) stopDispatching();
  };

  /** Every job of the batch has its reply: a result, or the error it threw. */
  const settleReplies = (dispatch: Dispatch, replies: JobReply[]) => {
    dispatch.attempts.forEach((attempt, i) => {
      const reply = replies[i];
      try {
        if (reply?.ok) succeed(attempt, reply.ms, reply.result);
        else
          fail(attempt, dispatch, reply ? reply.error : new Error('the worker sent no reply for this job'));
      } catch (error) {
        fail(attempt, dispatch, error);
      }
    });
  };

  /**
   * The batch's thread died (a job threw it away: process.exit, out of memory) or was ended (time
   * limit, stop). Jobs it finished before are kept. In a batch of several, which job ended the
   * thread is unknown: the rest run again, each alone, and this attempt does not count against
   * their retries, so that only the job that kills a thread fails.
   */
  const settleLostBatch = (dispatch: Dispatch, error: unknown) => {
    const { attempts } = dispatch;
    for (const attempt of attempts) {
      const { job, dir, number } = attempt;
      try {
        const record = readRecord(folder, job.id);
        if (record && Date.parse(record.startedAt) >= dispatch.startedAt) {
          succeed(attempt, record.ms, record.result);
        } else if (attempts.length > 1 && dispatch.abortedAs === undefined && !options.stop.aborted) {
          rmSync(dir, { recursive: true, force: true });
          solo.add(job.id);
          spared.set(job.id, (spared.get(job.id) ?? 0) + 1);
          const message = `${describeError(error)} (its thread was running a batch of ${attempts.length} jobs; each runs again alone)`;
          journal.append({
            event: 'failed',
            id: job.id,
            key: job.key,
            kind: job.kind,
            attempt: number,
            ms: Date.now() - dispatch.startedAt,
            error: message,
            final: false,
          });
          ready.push(job);
        } else {
          fail(attempt, dispatch, error);
        }
      } catch (settling) {
        fail(attempt, dispatch, settling);
      }
    }
  };

  const task = (attempt: Attempt): JobTask => {
    const { job, number } = attempt;
    const needs: Record<string, NeededJob> = {};
    for (const [name, need] of Object.entries(job.needs)) {
      needs[name] = {
        id: need.id,
        kind: byId.get(need.id)!.kind,
        dir: folder.jobDir(need.id),
        result: resultOf(need.id),
      };
    }
    journal.append({ event: 'started', id: job.id, key: job.key, kind: job.kind, attempt: number });
    return {
      kind: job.kind,
      params: job.params,
      dir: attempt.dir,
      jobDir: folder.jobDir(job.id),
      needs,
      publish: job.publish,
      header: jobHeader(job, number),
      timeoutMs: options.timeoutMs,
    };
  };

  /** The next batch: the ready job first in line, and while they are tiny, the jobs after it. */
  const nextBatch = (): PlanJob[] => {
    const batch = [ready.pop()!];
    if (!batchable(batch[0])) return batch;
    // Leave work in the queue for the other threads.
    const most = Math.min(MAX_BATCH, 1 + Math.floor(ready.size / inFlight));
    while (batch.length < most && ready.size > 0 && batchable(ready.peek()!)) batch.push(ready.pop()!);
    return batch;
  };

  const dispatch = (jobs: PlanJob[]): Promise<void> => {
    const attempts = jobs.map((job) => {
      const number = ++outcomes.get(job.id)!.attempts;
      return new Attempt(job, folder.attemptDir(job.id, number), number);
    });
    const sent = new Dispatch(attempts);
    dispatches.add(sent);
    let replies: Promise<unknown>;
    try {
      const batch: JobBatch = { id: attempts[0].dir, jobs: attempts.map(task) };
      const limit = options.timeoutMs;
      replies = pool.run(
        batch,
        sent.signal,
        // Knowing when a thread begins matters only for a time limit and for taking back queued tasks.
        limit !== undefined || options.failFast
          ? () => sent.begin(limit === undefined ? undefined : limit + TIMEOUT_GRACE_MS)
          : undefined,
      );
    } catch (error) {
      replies = Promise.reject(error);
    }
    return replies
      .then(
        (value) => settleReplies(sent, value as JobReply[]),
        (error) => settleLostBatch(sent, error),
      )
      .finally(() => {
        sent.settle();
        dispatches.delete(sent);
      });
  };

  try {
    await new Promise<void>((resolve) => {
      options.stop.addEventListener('abort', onStop, { once: true });
      const pump = () => {
        while (!stopping && dispatches.size < inFlight && ready.size > 0)
          void dispatch(nextBatch()).then(pump);
        if (dispatches.size === 0 && (stopping || ready.size === 0)) {
          options.stop.removeEventListener('abort', onStop);
          resolve();
        }
      };
      if (options.stop.aborted) stopping = true;
      pump();
    });
  } finally {
    await pool.close();
  }
}

/** A job's place in the ready queue: highest priority first, then in plan order. */
interface Ranked {
  job: PlanJob;
  priority: number;
  order: number;
}

/** One attempt of one job. */
class Attempt {
  constructor(
    readonly job: PlanJob,
    readonly dir: string,
    readonly number: number,
  ) {}
}

/** One batch of attempts handed to the pool; aborting it ends its thread if the batch has begun. */
class Dispatch {
  readonly startedAt = Date.now();
  begun = false;
  abortedAs?: 'cancelled' | 'stopped' | 'timeout';
  private readonly controller = new AbortController();
  private settled = false;
  private killTimer?: NodeJS.Timeout;

  constructor(readonly attempts: Attempt[]) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** A thread has begun the batch: its time limit (if any) starts now. */
  begin(limitMs: number | undefined): void {
    if (this.settled) return;
    this.begun = true;
    if (limitMs !== undefined) this.killTimer = setTimeout(() => this.abort('timeout'), limitMs);
  }

  abort(why: 'cancelled' | 'stopped' | 'timeout'): void {
    if (this.settled || this.controller.signal.aborted) return;
    this.abortedAs = why;
    this.controller.abort();
  }

  settle(): void {
    this.settled = true;
    clearTimeout(this.killTimer);
  }
}

function describeError(error: unknown): string {
  // A job's error arrives as a plain object (JobError); a thread's from another realm (under jest): no instanceof.
  if (error !== null && typeof error === 'object' && typeof (error as Error).message === 'string') {
    const code = (error as NodeJS.ErrnoException).code;
    const { name, message } = error as Error;
    const prefix = name && name !== 'Error' ? `${name}: ` : '';
    return `${prefix}${message}${code && !message.includes(code) ? ` [${code}]` : ''}`;
  }
  return String(error);
}

/** A binary heap: the ready queue (thousands of jobs, so no sorting on every push). */
class Heap<T> {
  private readonly items: T[] = [];
  constructor(private readonly before: (a: T, b: T) => number) {}
  get size(): number {
    return this.items.length;
  }
  peek(): T | undefined {
    return this.items[0];
  }
  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.before(items[i], items[parent]) >= 0) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let best = i;
        if (left < items.length && this.before(items[left], items[best]) < 0) best = left;
        if (right < items.length && this.before(items[right], items[best]) < 0) best = right;
        if (best === i) break;
        [items[i], items[best]] = [items[best], items[i]];
        i = best;
      }
    }
    return top;
  }
}

// Runs the jobs of a plan that still need running: ready jobs go to free worker threads, longest
// remaining chain first; failures are retried, then recorded, and block only their dependents.
import { existsSync, rmSync } from 'node:fs';
import type { JsonValue, NeededJob } from '../experiments/kind';
import type { Plan, PlanJob } from '../plan/build-plan';
import { commitJob, jobHeader, normalizeResult, readRecord } from './job-record';
import type { Journal, JobEvent } from './journal';
import type { JobPool } from './pool';
import type { Progress } from './progress';
import type { JobTaskResult } from './task';
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

/** Decides what is done, failed or blocked before anything runs. */
export function initialOutcomes(options: Pick<SchedulerOptions, 'plan' | 'folder' | 'force' | 'rerunFailed' | 'previous'>): Map<string, JobOutcome> {
  const outcomes = new Map<string, JobOutcome>();
  for (const job of options.plan.jobs) {
    const last = options.previous.get(job.id);
    if (!options.force && existsSync(options.folder.resultFile(job.id))) outcomes.set(job.id, { state: 'done', attempts: 0, skipped: true });
    else if (!options.force && !options.rerunFailed && last?.event === 'failed' && last.final) outcomes.set(job.id, { state: 'failed', attempts: 0, error: last.error });
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

export async function runScheduler(options: SchedulerOptions, outcomes: Map<string, JobOutcome>): Promise<void> {
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
  const order = new Map(plan.jobs.map((job, index) => [job.id, index]));
  const ready = new Heap<PlanJob>((a, b) => priority.get(b.id)! - priority.get(a.id)! || order.get(a.id)! - order.get(b.id)!);
  const waiting = new Map<string, number>();
  for (const job of plan.jobs) {
    if (outcomes.get(job.id)!.state !== 'pending') continue;
    const unmet = new Set(Object.values(job.needs).filter((n) => outcomes.get(n.id)!.state !== 'done').map((n) => n.id)).size;
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
  // One task waiting beside each running one, so a thread that finishes starts its next job at
  // once instead of after a round trip through this thread (time limits start when a job does).
  const inFlight = options.workers * 2;
  let stopping = false;
  /** Tasks handed to the pool, by attempt folder. */
  const tasks = new Map<string, Attempt>();

  /** No new tasks; tasks no thread has begun yet are taken back (they stay pending). */
  const stopDispatching = () => {
    stopping = true;
    for (const attempt of tasks.values()) if (!attempt.begun) attempt.abort('cancelled');
  };
  const onStop = () => {
    stopDispatching();
    for (const attempt of tasks.values()) attempt.abort('stopped');
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

  const succeed = (attempt: Attempt, reply: JobTaskResult) => {
    const { job, dir, number } = attempt;
    commitJob(folder, dir, job.id);
    journal.append({ event: 'finished', id: job.id, key: job.key, kind: job.kind, attempt: number, ms: reply.ms });
    outcomes.set(job.id, { state: 'done', attempts: number });
    if (dependents.has(job.id)) results.set(job.id, normalizeResult(reply.result));
    progress.finished(job, reply.ms);
    for (const next of new Set(dependents.get(job.id) ?? [])) {
      const left = waiting.get(next.id)! - 1;
      waiting.set(next.id, left);
      if (left === 0 && outcomes.get(next.id)!.state === 'pending') ready.push(next);
    }
  };

  const fail = (attempt: Attempt, error: unknown) => {
    const { job, dir, number } = attempt;
    rmSync(dir, { recursive: true, force: true });
    if (attempt.abortedAs === 'cancelled' && !attempt.begun) {
      // Never begun (--fail-fast, or the run stopped): the job stays pending, as if never dispatched.
      outcomes.get(job.id)!.attempts--;
      return;
    }
    const ms = Date.now() - attempt.startedAt;
    if (attempt.abortedAs === 'stopped' || options.stop.aborted) {
      journal.append({ event: 'failed', id: job.id, key: job.key, kind: job.kind, attempt: number, ms, error: 'interrupted: the run was stopped', final: false });
      return;
    }
    const message = attempt.abortedAs === 'timeout' ? `timed out after ${options.timeoutMs! / 1000} s (its thread was ended)` : describeError(error);
    const final = number > options.retries;
    journal.append({ event: 'failed', id: job.id, key: job.key, kind: job.kind, attempt: number, ms, error: message, final });
    progress.failed(job, message, number, final);
    if (!final) {
      ready.push(job);
      return;
    }
    outcomes.set(job.id, { state: 'failed', attempts: number, error: message });
    blockDownstream(job);
    if (options.failFast) stopDispatching();
  };

  const start = (job: PlanJob): Promise<void> => {
    const number = ++outcomes.get(job.id)!.attempts;
    const attempt = new Attempt(job, folder.attemptDir(job.id, number), number);
    tasks.set(attempt.dir, attempt);
    let task: Promise<unknown>;
    try {
      const needs: Record<string, NeededJob> = {};
      for (const [name, need] of Object.entries(job.needs)) {
        needs[name] = { id: need.id, kind: byId.get(need.id)!.kind, dir: folder.jobDir(need.id), result: resultOf(need.id) };
      }
      journal.append({ event: 'started', id: job.id, key: job.key, kind: job.kind, attempt: number });
      const limit = options.timeoutMs;
      task = pool.run(
        { kind: job.kind, params: job.params, dir: attempt.dir, needs, publish: job.publish, header: jobHeader(job, number), timeoutMs: limit },
        attempt.signal,
        // Knowing when a thread begins matters only for a time limit and for taking back queued tasks.
        limit !== undefined || options.failFast ? () => attempt.begin(limit === undefined ? undefined : limit + TIMEOUT_GRACE_MS) : undefined,
      );
    } catch (error) {
      task = Promise.reject(error);
    }
    return task
      .then(
        (reply) => succeed(attempt, reply as JobTaskResult),
        (error) => fail(attempt, error),
      )
      .catch((error) => fail(attempt, error))
      .finally(() => {
        attempt.settle();
        tasks.delete(attempt.dir);
      });
  };

  try {
    await new Promise<void>((resolve) => {
      options.stop.addEventListener('abort', onStop, { once: true });
      const pump = () => {
        while (!stopping && tasks.size < inFlight && ready.size > 0) void start(ready.pop()!).then(pump);
        if (tasks.size === 0 && (stopping || ready.size === 0)) {
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

/** One attempt of one job in the pool; aborting it ends its thread if the job has begun. */
class Attempt {
  readonly startedAt = Date.now();
  begun = false;
  abortedAs?: 'cancelled' | 'stopped' | 'timeout';
  private readonly controller = new AbortController();
  private settled = false;
  private killTimer?: NodeJS.Timeout;

  constructor(
    readonly job: PlanJob,
    readonly dir: string,
    readonly number: number,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** A thread has begun the job: its time limit (if any) starts now. */
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
  // Errors from worker threads may come from another realm (under jest): no instanceof.
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

// Runs the jobs of a plan that still need running and returns how each ended. Ready jobs go to
// free worker threads, longest remaining chain first (ready-queue.ts); failures are retried, then
// recorded, and block only their dependents. Tiny jobs travel in batches (one pool task for
// several, dispatch.ts), so that a sweep of thousands of them is not paced by the round trip to a
// thread.
//
// The path of a batch: pump() → dispatch() → pool.run() → settleReplies() (the thread replied
// for each job) or settleLostBatch() (the thread died or was ended) → succeed() or fail() per job
// → pump() again. All state lives on one Scheduler object, made per run.
import { rmSync } from 'node:fs';
import { describeError } from '../errors';
import { isDiskFull, WriteError } from '../files';
import { isTransientError, isWorthRetrying } from './transient';
import type { JsonValue, NeededJob } from '../jobs/kind';
import type { Plan, PlanJob } from '../plan/build-plan';
import { Attempt, type AbortReason, Dispatch } from './dispatch';
import { type HashCost, knownHashes } from './hash-cache';
import { jobHeader, normalizeResult, readRecord } from './job-record';
import type { Journal } from './journal';
import type { JobOutcome, Outcomes } from './outcomes';
import type { JobPool } from './pool';
import type { Progress } from './progress';
import { type Dependents, dependentsOf, ReadyQueue } from './ready-queue';
import type { RunFolder } from './run-folder';
import type { JobBatch, JobReply, JobTask } from './task';

export interface SchedulerOptions {
  plan: Plan;
  folder: RunFolder;
  journal: Journal;
  progress: Progress;
  /** Created only when some job has to run. */
  createPool: () => JobPool;
  /**
   * Given, the run does not wait for the pool's threads to end: they end while the caller
   * publishes, and the caller awaits `closed` before it lets go of the run folder.
   */
  onPoolClosing?: (closed: Promise<void>) => void;
  workers: number;
  /** Attempts after the first before a job is recorded as failed. */
  retries: number;
  timeoutMs?: number;
  failFast: boolean;
  /** Aborting stops the run: running jobs are ended and stay pending. */
  stop: AbortSignal;
  /** Aborting starts no new job; those in the pool's hands end on their own (the disk is full). */
  drain?: AbortSignal;
  /** A job could not write (disk full, read-only): it stays pending; gets "disk full writing <path>: …". */
  onDiskFull?: (message: string) => void;
  /** What a job's check of the files it needs cost (the run's summary adds them up). */
  onHashed?: (cost: HashCost) => void;
}

/** Time a worker gets to stop on its own after its job's time limit before its thread is ended. */
export const TIMEOUT_GRACE_MS = 1000;

/** Jobs estimated at about 20 ms or less may share a pool task (a batch) with other such jobs. */
const SMALL_JOB_COST = 0.02;
/** Most jobs in one batch: keeps the progress display and the end of a sweep fluid. */
const MAX_BATCH = 32;

/**
 * Runs what `initial` leaves pending (see initialOutcomes) and resolves with every job's outcome;
 * `initial` itself is not changed.
 */
export function runScheduler(options: SchedulerOptions, initial: Outcomes): Promise<Outcomes> {
  return new Scheduler(options, initial).run();
}

class Scheduler {
  private readonly outcomes: Outcomes;
  private readonly byId: Map<string, PlanJob>;
  private readonly dependents: Dependents;
  private readonly ready: ReadyQueue;
  /** Pending job id → how many of its needs are not done yet. */
  private readonly waiting = new Map<string, number>();
  /** Results of finished jobs that other jobs need (read from result.json when not from this run). */
  private readonly results = new Map<string, JsonValue>();
  /** Batches handed to the pool and not yet settled. */
  private readonly dispatches = new Set<Dispatch>();
  /** Jobs of a batch whose thread died without saying which job killed it: each runs alone from now on. */
  private readonly solo = new Set<string>();
  /** Attempts lost with such a batch, which do not count against a job's retries. */
  private readonly spared = new Map<string, number>();
  /**
   * Batches in flight: one waiting in piscina's queue beside each running one (none with --fail-fast). Piscina hands it
   * to a thread that finishes from within its reply handler, before this scheduler's own
   * callbacks run (time limits start when a batch does, not when it is queued).
   */
  private readonly inFlight: number;
  /** A time limit is per job, and --fail-fast starts nothing after a failure: both want one job per task. */
  private readonly batching: boolean;
  private stopping = false;
  private pool?: JobPool;

  constructor(
    private readonly options: SchedulerOptions,
    initial: Outcomes,
  ) {
    const { jobs } = options.plan;
    this.outcomes = new Map([...initial].map(([id, outcome]) => [id, { ...outcome }]));
    this.byId = new Map(jobs.map((job) => [job.id, job]));
    this.dependents = dependentsOf(jobs);
    this.ready = new ReadyQueue(jobs, this.dependents);
    // With --fail-fast nothing may start after a failure, but piscina hands a queued task to the
    // thread that just failed before the failure reaches this scheduler: queue nothing beside it.
    this.inFlight = options.failFast ? options.workers : options.workers * 2;
    this.batching = options.timeoutMs === undefined && !options.failFast;
  }

  async run(): Promise<Outcomes> {
    this.reportBlocked();
    this.queueReadyJobs();
    if (this.ready.size === 0) return this.outcomes;
    this.pool = this.options.createPool();
    try {
      await this.pumpUntilDone();
    } finally {
      const closed = this.pool.close();
      if (this.options.onPoolClosing) this.options.onPoolClosing(closed);
      else await closed;
    }
    return this.outcomes;
  }

  private outcome(job: PlanJob): JobOutcome {
    return this.outcomes.get(job.id)!;
  }

  /** Jobs blocked before the run (by a failure of an earlier run) are logged as such. */
  private reportBlocked(): void {
    for (const job of this.options.plan.jobs) {
      const { state, blockedBy } = this.outcome(job);
      if (state !== 'blocked') continue;
      this.options.journal.append({ event: 'blocked', ...named(job), by: blockedBy! });
      this.options.progress.blocked(job, this.byId.get(blockedBy!)!);
    }
  }

  /** Counts the unmet needs of every pending job; those with none are ready. */
  private queueReadyJobs(): void {
    for (const job of this.options.plan.jobs) {
      if (this.outcome(job).state !== 'pending') continue;
      const unmet = new Set(
        Object.values(job.needs)
          .filter((n) => this.outcomes.get(n.id)!.state !== 'done')
          .map((n) => n.id),
      ).size;
      this.waiting.set(job.id, unmet);
      if (unmet === 0) this.ready.push(job);
    }
  }

  /** Keeps `inFlight` batches going until nothing is ready and nothing runs (or the run stops). */
  private pumpUntilDone(): Promise<void> {
    const { stop } = this.options;
    const onStop = () => this.stopRunning();
    return new Promise<void>((resolve) => {
      stop.addEventListener('abort', onStop, { once: true });
      const pump = () => {
        while (!this.stopping && this.dispatches.size < this.inFlight && this.ready.size > 0)
          void this.dispatch(this.nextBatch()).then(pump);
        if (this.dispatches.size === 0 && (this.stopping || this.ready.size === 0)) {
          stop.removeEventListener('abort', onStop);
          resolve();
        }
      };
      if (stop.aborted) this.stopping = true;
      const { drain } = this.options;
      drain?.addEventListener('abort', () => (this.stopping = true), { once: true });
      if (drain?.aborted) this.stopping = true;
      pump();
    });
  }

  /** No new tasks; tasks no thread has begun yet are taken back (they stay pending). */
  private stopDispatching(): void {
    this.stopping = true;
    for (const dispatch of this.dispatches) if (!dispatch.begun) dispatch.abort('cancelled');
  }

  /** The run is stopping: running batches are ended too. */
  private stopRunning(): void {
    this.stopDispatching();
    for (const dispatch of this.dispatches) dispatch.abort('stopped');
  }

  private batchable(job: PlanJob): boolean {
    return this.batching && job.cost <= SMALL_JOB_COST && !this.solo.has(job.id);
  }

  /** The next batch: the ready job first in line, and while they are tiny, the jobs after it. */
  private nextBatch(): PlanJob[] {
    const batch = [this.ready.pop()!];
    if (!this.batchable(batch[0])) return batch;
    // Leave work in the queue for the other threads.
    const most = Math.min(MAX_BATCH, 1 + Math.floor(this.ready.size / this.inFlight));
    while (batch.length < most && this.ready.size > 0 && this.batchable(this.ready.peek()!))
      batch.push(this.ready.pop()!);
    return batch;
  }

  private dispatch(jobs: PlanJob[]): Promise<void> {
    const { folder, timeoutMs, failFast } = this.options;
    const attempts = jobs.map((job) => {
      const number = ++this.outcome(job).attempts;
      return new Attempt(job, folder.attemptDir(job.id, number), number);
    });
    const sent = new Dispatch(attempts);
    this.dispatches.add(sent);
    let replies: Promise<unknown>;
    try {
      const batch: JobBatch = { id: attempts[0].dir, jobs: attempts.map((attempt) => this.task(attempt)) };
      replies = this.pool!.run(batch, sent.signal, {
        // The progress hears when a thread begins (a job queued beside a running one is not running
        // yet); the dispatch needs to know only for a time limit and for taking back queued tasks.
        onStart: () => {
          if (timeoutMs !== undefined || failFast)
            sent.begin(timeoutMs === undefined ? undefined : timeoutMs + TIMEOUT_GRACE_MS);
          for (const attempt of attempts) this.options.progress.begun(attempt.job, attempt.number);
        },
        // Long jobs travel alone; a batch of tiny ones has nothing to report.
        onProgress:
          attempts.length === 1
            ? (_, update) => this.options.progress.running(attempts[0].job, attempts[0].number, update)
            : undefined,
      });
    } catch (error) {
      replies = Promise.reject(error);
    }
    return replies
      .then(
        (value) => this.settleReplies(sent, value as JobReply[]),
        (error) => this.settleLostBatch(sent, error),
      )
      .finally(() => {
        sent.settle();
        this.dispatches.delete(sent);
      });
  }

  /** What a worker gets for one attempt; journals its start. */
  private task(attempt: Attempt): JobTask {
    const { folder, journal, timeoutMs } = this.options;
    const { job, number } = attempt;
    const needs: Record<string, NeededJob> = {};
    for (const [name, need] of Object.entries(job.needs)) {
      needs[name] = {
        id: need.id,
        key: need.key,
        kind: this.byId.get(need.id)!.kind,
        dir: folder.jobDir(need.id),
        result: this.resultOf(need.id),
      };
    }
    journal.append({ event: 'started', ...named(job), attempt: number });
    this.options.progress.started(job);
    return {
      kind: job.kind,
      params: job.params,
      dir: attempt.dir,
      jobDir: folder.jobDir(job.id),
      needs,
      publish: job.publish,
      header: jobHeader(job, number),
      timeoutMs,
      knownHashes: knownHashes(Object.values(needs).map((need) => need.dir)),
    };
  }

  private resultOf(id: string): JsonValue {
    if (!this.results.has(id)) this.results.set(id, readRecord(this.options.folder, id)?.result ?? null);
    return this.results.get(id)!;
  }

  /** Every job of the batch has its reply: a result, or the error it threw. */
  private settleReplies(dispatch: Dispatch, replies: JobReply[]): void {
    dispatch.attempts.forEach((attempt, i) => {
      const reply = replies[i];
      if (reply?.hashed) this.options.onHashed?.(reply.hashed);
      try {
        if (reply?.ok) this.succeed(attempt, reply.ms, reply.result, reply.cpuMs);
        else
          this.fail(
            attempt,
            dispatch,
            reply ? reply.error : new Error('the worker sent no reply for this job'),
          );
      } catch (error) {
        this.fail(attempt, dispatch, error);
      }
    });
  }

  /**
   * The batch's thread died (a job threw it away: process.exit, out of memory) or was ended (time
   * limit, stop). Jobs it finished before are kept. In a batch of several, which job ended the
   * thread is unknown: the rest run again, each alone, and this attempt does not count against
   * their retries, so that only the job that kills a thread fails.
   */
  private settleLostBatch(dispatch: Dispatch, error: unknown): void {
    const { attempts } = dispatch;
    for (const attempt of attempts) {
      try {
        const record = readRecord(this.options.folder, attempt.job.id);
        if (record && Date.parse(record.startedAt) >= dispatch.startedAt)
          this.succeed(attempt, record.ms, record.result);
        else if (attempts.length > 1 && dispatch.abortedAs === undefined && !this.options.stop.aborted)
          this.runAgainAlone(attempt, dispatch, error);
        else this.fail(attempt, dispatch, error, true);
      } catch (settling) {
        this.fail(attempt, dispatch, settling);
      }
    }
  }

  /** A job lost with its batch, not known to be the one that ended the thread. */
  private runAgainAlone(attempt: Attempt, dispatch: Dispatch, error: unknown): void {
    const { job } = attempt;
    rmSync(attempt.dir, { recursive: true, force: true });
    this.solo.add(job.id);
    this.spared.set(job.id, (this.spared.get(job.id) ?? 0) + 1);
    const message = `${describeError(error)} (its thread was running a batch of ${dispatch.attempts.length} jobs; each runs again alone)`;
    this.journalFailure(attempt, Date.now() - dispatch.startedAt, message, false);
    this.ready.push(job);
  }

  private succeed(attempt: Attempt, ms: number, result: unknown, cpuMs?: number): void {
    const { job, number } = attempt;
    this.options.journal.append({
      event: 'finished',
      ...named(job),
      attempt: number,
      ms,
      ...(cpuMs === undefined ? {} : { cpuMs }),
    });
    this.outcomes.set(job.id, { state: 'done', attempts: number });
    if (this.dependents.has(job.id)) this.results.set(job.id, normalizeResult(result));
    this.options.progress.finished(job, ms);
    for (const next of this.dependents.get(job.id) ?? []) {
      const left = this.waiting.get(next.id)! - 1;
      this.waiting.set(next.id, left);
      if (left === 0 && this.outcome(next).state === 'pending') this.ready.push(next);
    }
  }

  /** `threadLost`: the job's thread died or was ended (killed, out of memory, time limit). */
  private fail(attempt: Attempt, dispatch: Dispatch, error: unknown, threadLost = false): void {
    const { options } = this;
    const { job, number } = attempt;
    rmSync(attempt.dir, { recursive: true, force: true });
    if (dispatch.abortedAs === 'cancelled' && !dispatch.begun) {
      // Never begun (--fail-fast, or the run stopped): the job stays pending, as if never dispatched.
      this.outcome(job).attempts--;
      return;
    }
    const ms = Date.now() - dispatch.startedAt;
    if (dispatch.abortedAs === 'stopped' || options.stop.aborted) {
      this.journalFailure(attempt, ms, 'interrupted: the run was stopped', false);
      return;
    }
    if (dispatch.abortedAs === undefined && isDiskFull(error)) {
      // Not the job's fault: it stays pending for the next run, which finds room again.
      const message =
        (error as Error).name === 'WriteError'
          ? (error as Error).message
          : new WriteError(attempt.dir, error).message;
      this.journalFailure(attempt, ms, message, false);
      options.progress.failed(job, message, number, false);
      options.onDiskFull?.(message);
      return;
    }
    const message = failureMessage(dispatch.abortedAs, error, options.timeoutMs);
    const final = !isWorthRetrying(error) || number > options.retries + (this.spared.get(job.id) ?? 0);
    const transient = threadLost || dispatch.abortedAs === 'timeout' || isTransientError(error);
    this.journalFailure(attempt, ms, message, final, final ? transient : undefined);
    options.progress.failed(job, message, number, final);
    if (!final) {
      this.ready.push(job);
      return;
    }
    this.outcomes.set(job.id, { state: 'failed', attempts: number, error: message, transient });
    this.blockDownstream(job);
    if (options.failFast) this.stopDispatching();
  }

  private journalFailure(
    attempt: Attempt,
    ms: number,
    error: string,
    final: boolean,
    transient?: boolean,
  ): void {
    const { job, number } = attempt;
    this.options.journal.append({
      event: 'failed',
      ...named(job),
      attempt: number,
      ms,
      error,
      final,
      ...(transient === undefined ? {} : { transient }),
    });
  }

  /** Every pending job downstream of a failed one is blocked by it. */
  private blockDownstream(failed: PlanJob): void {
    const queue = [...(this.dependents.get(failed.id) ?? [])];
    for (let i = 0; i < queue.length; i++) {
      const job = queue[i];
      if (this.outcome(job).state !== 'pending') continue;
      this.outcomes.set(job.id, { state: 'blocked', attempts: 0, blockedBy: failed.id });
      this.options.journal.append({ event: 'blocked', ...named(job), by: failed.id });
      this.options.progress.blocked(job, failed);
      queue.push(...(this.dependents.get(job.id) ?? []));
    }
  }
}

/** What names a job in the journal. */
function named(job: PlanJob): { id: string; key: string; kind: string } {
  return { id: job.id, key: job.key, kind: job.kind };
}

function failureMessage(abortedAs: AbortReason | undefined, error: unknown, timeoutMs?: number): string {
  return abortedAs === 'timeout'
    ? `timed out after ${timeoutMs! / 1000} s (its thread was ended)`
    : describeError(error);
}

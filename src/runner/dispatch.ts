// What the scheduler hands to the pool: attempts of jobs, sent together as one batch.
import type { PlanJob } from '../plan/build-plan';

/** One attempt of one job, run in its own folder (renamed to the job's folder when it succeeds). */
export class Attempt {
  constructor(
    readonly job: PlanJob,
    readonly dir: string,
    readonly number: number,
  ) {}
}

/**
 * Why a batch was taken back: `cancelled` (no thread had begun it: its jobs stay pending),
 * `stopped` (the run is stopping) or `timeout` (a job went past its time limit).
 */
export type AbortReason = 'cancelled' | 'stopped' | 'timeout';

/** One batch of attempts handed to the pool; aborting it ends its thread if the batch has begun. */
export class Dispatch {
  readonly startedAt = Date.now();
  begun = false;
  abortedAs?: AbortReason;
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

  abort(why: AbortReason): void {
    if (this.settled || this.controller.signal.aborted) return;
    this.abortedAs = why;
    this.controller.abort();
  }

  settle(): void {
    this.settled = true;
    clearTimeout(this.killTimer);
  }
}

// A JobPool without threads, for the scheduler's unit tests: `threads` tasks run at once, the
// rest wait their turn as in piscina's queue. What each job does is scripted by its key and
// attempt; a finished job is written to its job folder exactly as workers/job.ts writes it.
import { mkdirSync } from 'node:fs';
import { commitJob, writeRecord } from '../../src/runner/job-record';
import type { BatchListeners, JobPool } from '../../src/runner/pool';
import type { JobBatch, JobReply, JobTask } from '../../src/runner/task';

/**
 * What one attempt does: finish with a result, throw (the job fails alone), end its thread (the
 * whole batch is lost, like process.exit), or hang until its batch is aborted.
 */
export type Action = { result: unknown; ms?: number } | { throws: string } | 'end-thread' | 'hang';

export class FakePool implements JobPool {
  /** Each batch as it began on a "thread": the keys of its jobs with their attempt numbers. */
  readonly batches: string[][] = [];
  /** Every task each job received, in order (its needs arrive with their results). */
  readonly tasks: JobTask[] = [];
  closed = false;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly threads: number,
    private readonly script: (key: string, attempt: number) => Action,
  ) {}

  async run(batch: JobBatch, signal: AbortSignal, listeners: BatchListeners = {}): Promise<unknown> {
    await this.thread(signal);
    try {
      // The thread picks the batch up a moment later, and says so unless it was taken back meanwhile.
      await nextTurn();
      if (signal.aborted) throw new Error('The task has been aborted');
      listeners.onStart?.();
      this.batches.push(batch.jobs.map((task) => `${task.header.key}#${task.header.attempt}`));
      const replies: JobReply[] = [];
      for (const task of batch.jobs) {
        if (replies.length) await nextTurn(); // other batches settle between two jobs
        if (signal.aborted) throw new Error('The task has been aborted');
        this.tasks.push(task);
        const action = this.script(task.header.key, task.header.attempt);
        if (action === 'end-thread') throw new Error('worker exited with code: 7');
        if (action === 'hang') await aborted(signal);
        else if ('throws' in action)
          replies.push({ ok: false, error: { name: 'Error', message: action.throws } });
        else {
          const ms = action.ms ?? 1;
          mkdirSync(task.dir);
          writeRecord(task.dir, {
            ...task.header,
            startedAt: new Date().toISOString(),
            ms,
            result: action.result,
          });
          commitJob(task.dir, task.jobDir);
          replies.push({ ok: true, ms, result: action.result });
        }
      }
      return replies;
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Resolves when a thread is free for this task; rejects if the task is aborted while it waits. */
  private thread(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new Error('The task has been aborted'));
    if (this.running < this.threads) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const start = () => {
        signal.removeEventListener('abort', cancel);
        this.running++;
        resolve();
      };
      const cancel = () => {
        this.waiting.splice(this.waiting.indexOf(start), 1);
        reject(new Error('The task has been aborted'));
      };
      this.waiting.push(start);
      signal.addEventListener('abort', cancel, { once: true });
    });
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Rejects once `signal` aborts, as piscina does when it ends a thread. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(new Error('The task has been aborted'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

// The worker-thread pool: piscina running dist/workers/job.js, one thread per worker.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { JobProgress } from '../jobs/kind';
import { kindModuleOf } from '../jobs/registry';
import { packageRoot } from '../package-root';
import type { JobBatch, WorkerBatch } from './task';
import { explainThreadError, type WorkerLimits } from './worker-limits';

export interface PoolOptions {
  workers: number;
  /** What each thread may hold; a job that goes beyond it fails alone (default: Node's limits). */
  limits?: WorkerLimits;
}

/** What the runner hears of a batch while it runs. */
export interface BatchListeners {
  /** A thread has begun the batch (so that time limits do not count the wait for a thread). */
  onStart?: () => void;
  /** Job `job` of the batch (its index) reports how it is getting on, e.g. a training epoch. */
  onProgress?: (job: number, progress: JobProgress) => void;
}

export interface JobPool {
  /**
   * Runs a batch of attempts and resolves with a reply per job (JobReply[]); rejects when its
   * thread dies or `signal` aborts (the thread is then ended).
   */
  run(batch: JobBatch, signal: AbortSignal, listeners?: BatchListeners): Promise<unknown>;
  close(): Promise<void>;
}

/** What a worker posts on the pool's channel while it runs a batch. */
export type WorkerEvent =
  | { batch: string; started: true }
  | { batch: string; job: number; progress: JobProgress };

/** What workers/job.ts receives as piscina's workerData. */
export interface WorkerData {
  /** BroadcastChannel on which workers post WorkerEvents. */
  eventsChannel: string;
  /** The ceiling of each thread's wasm heap (tf/wasm-heap-limit.ts). */
  wasmHeapBytes?: number;
}

/** The compiled worker entry, found from the package root whether this file runs from src/ (tests) or dist/. */
export function workerFile(): string {
  const file = path.join(packageRoot(), 'dist', 'workers', 'job.js');
  if (!existsSync(file)) throw new Error(`${file} does not exist: run \`npm run build\` first`);
  return file;
}

/** The batch with each task's kind module (jobs/registry.ts), which the worker loads to run it. */
function withModules(batch: JobBatch): WorkerBatch {
  return { ...batch, jobs: batch.jobs.map((task) => ({ ...task, module: kindModuleOf(task.kind) })) };
}

let pools = 0;

export function createJobPool(options: PoolOptions): JobPool {
  const workerData: WorkerData = {
    eventsChannel: `probelab:job-events:${process.pid}:${pools++}`,
    wasmHeapBytes: options.limits?.wasmHeapBytes,
  };
  const { limits } = options;
  const pool = new Piscina<WorkerBatch, unknown>({
    filename: workerFile(),
    minThreads: options.workers,
    maxThreads: options.workers,
    // Threads live as long as the pool: the scheduler keeps one task queued beside each running one.
    idleTimeout: Infinity,
    resourceLimits: limits ? { maxOldGenerationSizeMb: limits.heapMb } : undefined,
    workerData,
  });
  // piscina emits 'error' for what no task can be told of: a reply to a task that was already
  // aborted (a cancel racing the thread's answer), a thread dying between tasks. Every task learns
  // its own fate through its promise, so these must not crash the run as an unhandled 'error'.
  pool.on('error', () => {});
  const listening = new Map<string, BatchListeners>();
  const events = new BroadcastChannel(workerData.eventsChannel);
  events.unref();
  events.onmessage = (message) => {
    const event = (message as MessageEvent).data as WorkerEvent;
    const listeners = listening.get(event.batch);
    if ('started' in event) listeners?.onStart?.();
    else listeners?.onProgress?.(event.job, event.progress);
  };
  return {
    run(jobBatch, signal, listeners) {
      const batch = withModules(jobBatch);
      const explained = (error: unknown) => {
        throw limits ? explainThreadError(error, limits) : error;
      };
      if (!listeners?.onStart && !listeners?.onProgress) return pool.run(batch, { signal }).catch(explained);
      listening.set(batch.id, listeners);
      return pool
        .run({ ...batch, notifyStart: !!listeners.onStart }, { signal })
        .catch(explained)
        .finally(() => listening.delete(batch.id));
    },
    async close() {
      events.close();
      await pool.destroy();
    },
  };
}

// The worker-thread pool: piscina running dist/workers/job.js, one thread per worker.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { JobBatch } from './task';

export interface PoolOptions {
  workers: number;
  /** Heap limit of each thread; a job that goes beyond it fails alone. */
  workerMemoryMb?: number;
}

export interface JobPool {
  /**
   * Runs a batch of attempts and resolves with a reply per job (JobReply[]); rejects when its
   * thread dies or `signal` aborts (the thread is then ended). `onStart` is called when a thread
   * actually begins the batch, so that time limits do not count the wait for a thread to start.
   */
  run(batch: JobBatch, signal: AbortSignal, onStart?: () => void): Promise<unknown>;
  close(): Promise<void>;
}

/** What workers/job.ts receives as piscina's workerData. */
export interface WorkerData {
  /** BroadcastChannel on which a worker posts a batch's `id` when it starts it. */
  startedChannel: string;
}

/** The compiled worker entry, found from the package root whether this file runs from src/ (tests) or dist/. */
export function workerFile(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the package root above ${__dirname}`);
    dir = parent;
  }
  const file = path.join(dir, 'dist', 'workers', 'job.js');
  if (!existsSync(file)) throw new Error(`${file} does not exist: run \`npm run build\` first`);
  return file;
}

let pools = 0;

export function createJobPool(options: PoolOptions): JobPool {
  const workerData: WorkerData = { startedChannel: `probelab:job-started:${process.pid}:${pools++}` };
  const pool = new Piscina<JobBatch, unknown>({
    filename: workerFile(),
    minThreads: options.workers,
    maxThreads: options.workers,
    // Threads live as long as the pool: the scheduler keeps one task queued beside each running one.
    idleTimeout: Infinity,
    resourceLimits: options.workerMemoryMb ? { maxOldGenerationSizeMb: options.workerMemoryMb } : undefined,
    workerData,
  });
  const waitingForStart = new Map<string, () => void>();
  const started = new BroadcastChannel(workerData.startedChannel);
  started.unref();
  started.onmessage = (event) => {
    const id = (event as MessageEvent).data as string;
    waitingForStart.get(id)?.();
    waitingForStart.delete(id);
  };
  return {
    run(batch, signal, onStart) {
      if (!onStart) return pool.run(batch, { signal });
      waitingForStart.set(batch.id, onStart);
      return pool
        .run({ ...batch, notifyStart: true }, { signal })
        .finally(() => waitingForStart.delete(batch.id));
    },
    async close() {
      started.close();
      await pool.destroy();
    },
  };
}

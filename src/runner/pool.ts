// The worker-thread pool: piscina running dist/workers/job.js, one thread per worker.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Piscina } from 'piscina';
import type { JobTask } from './task';

export interface PoolOptions {
  workers: number;
  /** Heap limit of each thread; a job that goes beyond it fails alone. */
  workerMemoryMb?: number;
}

export interface JobPool {
  /** Runs one attempt; rejects when the job throws, its thread dies, or `signal` aborts (the thread is then ended). */
  run(task: JobTask, signal: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
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

export function createJobPool(options: PoolOptions): JobPool {
  const pool = new Piscina<JobTask, unknown>({
    filename: workerFile(),
    minThreads: options.workers,
    maxThreads: options.workers,
    // Every task is sent when a thread is free, so nothing waits in piscina's queue.
    idleTimeout: Infinity,
    resourceLimits: options.workerMemoryMb ? { maxOldGenerationSizeMb: options.workerMemoryMb } : undefined,
  });
  return {
    run: (task, signal) => pool.run(task, { signal }),
    close: () => pool.destroy(),
  };
}

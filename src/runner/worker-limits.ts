// What one worker thread may hold, from the memory one job may take (--max-memory; default: the
// machine's memory / workers): its JavaScript heap (piscina's resourceLimits) and its wasm heap
// (tensors and kernel scratch, tf/wasm-heap-limit.ts), each up to that limit. A job that goes
// beyond either fails alone with a message that says it ran out of memory.
import v8 from 'node:v8';
import { WASM_HEAP_MAX } from '../tf/wasm-heap-limit';

export interface WorkerLimits {
  /** maxOldGenerationSizeMb of each thread. */
  heapMb: number;
  /** The ceiling of each thread's wasm heap. */
  wasmHeapBytes: number;
}

const MB = 2 ** 20;

/** Below this a thread cannot load tfjs and a data set (a thread with tfjs loaded holds about 40 MB). */
export const MIN_HEAP_MB = 64;

/**
 * `jobBytes`: what one job may take. `heapMb`: the config's `defaults.workerMemoryMb`, which
 * sets the JavaScript heap alone. Never above Node's own heap limit: past it, a thread's heap
 * would only grow further before failing.
 */
export function workerLimits(jobBytes: number, heapMb?: number): WorkerLimits {
  const nodeLimitMb = Math.floor(v8.getHeapStatistics().heap_size_limit / MB);
  return {
    heapMb: heapMb ?? Math.max(MIN_HEAP_MB, Math.min(nodeLimitMb, Math.floor(jobBytes / MB))),
    wasmHeapBytes: Math.min(jobBytes, WASM_HEAP_MAX),
  };
}

interface CodedError {
  code?: unknown;
  message?: unknown;
}

/** A thread ended for its JavaScript heap, said in the words of the run's limits; any other error as it is. */
export function explainThreadError(error: unknown, limits: WorkerLimits): unknown {
  if ((error as CodedError | null)?.code !== 'ERR_WORKER_OUT_OF_MEMORY') return error;
  return Object.assign(
    new Error(
      `ran out of memory: its thread's JavaScript heap reached the limit of ${limits.heapMb} MB (--max-memory, or defaults.workerMemoryMb); the thread was ended and replaced`,
    ),
    { code: 'ERR_WORKER_OUT_OF_MEMORY' },
  );
}

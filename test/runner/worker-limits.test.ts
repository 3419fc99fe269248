// Each thread's limits come from what one job may take: its JavaScript heap (within Node's own
// limit, and never below what a thread needs to load tfjs) and its wasm heap (within 4 GiB).
import v8 from 'node:v8';
import { explainThreadError, MIN_HEAP_MB, workerLimits } from '../../src/runner/worker-limits';
import { WASM_HEAP_MAX } from '../../src/tf/wasm-heap-limit';

const MB = 2 ** 20;
const nodeLimitMb = Math.floor(v8.getHeapStatistics().heap_size_limit / MB);

test('both heaps take the per-job limit, each within its own bounds', () => {
  expect(workerLimits(200 * MB)).toEqual({ heapMb: 200, wasmHeapBytes: 200 * MB });
  expect(workerLimits(64 * 2 ** 30)).toEqual({ heapMb: nodeLimitMb, wasmHeapBytes: WASM_HEAP_MAX });
  expect(workerLimits(10 * MB)).toEqual({ heapMb: MIN_HEAP_MB, wasmHeapBytes: 10 * MB });
  // defaults.workerMemoryMb sets the JavaScript heap alone.
  expect(workerLimits(200 * MB, 96)).toEqual({ heapMb: 96, wasmHeapBytes: 200 * MB });
});

test("a thread ended for its heap is said in the run's words; other errors pass unchanged", () => {
  const limits = workerLimits(100 * MB);
  const ended = Object.assign(
    new Error('Worker terminated due to reaching memory limit: JS heap out of memory'),
    {
      code: 'ERR_WORKER_OUT_OF_MEMORY',
    },
  );
  expect(explainThreadError(ended, limits)).toMatchObject({
    code: 'ERR_WORKER_OUT_OF_MEMORY',
    message: expect.stringMatching(
      /^ran out of memory: its thread's JavaScript heap reached the limit of 100 MB/,
    ),
  });
  const other = new Error('worker exited with code: 7');
  expect(explainThreadError(other, limits)).toBe(other);
});

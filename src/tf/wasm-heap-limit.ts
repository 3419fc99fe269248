// A ceiling on this thread's wasm heap, where the wasm backend keeps every tensor and the fused
// kernels their scratch memory. The backend grows its heap up to 4 GiB on demand and, when it
// cannot grow, its malloc answers 0 and tfjs writes the tensor at address 0 anyway (silent
// garbage, later "memory access out of bounds"). Here the heap may not grow past the limit, and an
// allocation that does not fit throws an error that says the job ran out of memory.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { emscripten } from './simd-module';

/** The wasm backend's own ceiling: 4 GiB less one 64 kB page (its getHeapMax()). */
export const WASM_HEAP_MAX = 4_294_901_760;

const PAGE = 65_536;

/** Code of the error an allocation over the limit throws (runner/transient.ts knows it). */
export const WASM_OUT_OF_MEMORY = 'ERR_WASM_OUT_OF_MEMORY';

let limitBytes = WASM_HEAP_MAX;

/** Set by the worker before any job runs: the heap limit of this thread's backend, in bytes. */
export function setWasmHeapLimit(bytes: number): void {
  limitBytes = Math.min(Math.max(bytes, PAGE), WASM_HEAP_MAX);
}

interface GrowableMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** What is used here of the backend's Emscripten module (tfjs' types do not show it). */
interface HeapModule {
  asm: { memory: GrowableMemory; malloc(bytes: number): number };
  _malloc(bytes: number): number;
}

const megabytes = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;

export class WasmOutOfMemoryError extends Error {
  readonly code = WASM_OUT_OF_MEMORY;
  constructor(bytes: number, heap: number, limit: number) {
    super(
      `ran out of memory: a tensor of ${megabytes(bytes)} does not fit in the wasm heap (${megabytes(heap)} in use or free, limit ${megabytes(limit)} per job: --max-memory)`,
    );
  }
}

/** Holds the started wasm backend's heap to the limit set for this thread. */
export function limitWasmHeap(backend: BackendWasm): void {
  const module = emscripten<HeapModule>(backend);
  const { memory, malloc } = module.asm;
  const limit = limitBytes;
  const grow = memory.grow.bind(memory);
  // Emscripten grows through this method and treats a throw as "cannot grow".
  memory.grow = (pages: number) => {
    if (memory.buffer.byteLength + pages * PAGE > limit) throw new RangeError('over the wasm heap limit');
    return grow(pages);
  };
  module._malloc = (bytes: number) => {
    const at = malloc(bytes);
    if (at === 0 && bytes > 0) throw new WasmOutOfMemoryError(bytes, memory.buffer.byteLength, limit);
    return at;
  };
}

// The AssemblyScript SIMD kernels (assembly/kernels.ts, compiled by `npm run build` into
// dist/assembly/), instantiated once per thread on the wasm backend's own memory, so they read
// and write tfjs' tensors in place at their byte addresses.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export interface SimdKernels {
  conv2dFilterGrad(x: number, dy: number, dw: number, ...geometry: number[]): void;
  conv2dInputGrad(dy: number, wt: number, dx: number, ...geometry: number[]): void;
  maxPoolGrad(x: number, dx: number, dy: number, ...geometry: number[]): void;
  sumRows(x: number, out: number, rows: number, cols: number): void;
  convWindow(x: number, w: number, bias: number, y: number, ...geometry: number[]): void;
  poolWindow(x: number, y: number, ...geometry: number[]): void;
  changedBox(work: number, clean: number, ...geometryAndBox: number[]): number;
  copyBox(from: number, to: number, ...geometry: number[]): void;
  adam(w: number, wOut: number, m: number, v: number, g: number, n: number, ...scalars: number[]): void;
  conv2dForward(x: number, w: number, bias: number, y: number, ...geometryAndRelu: number[]): void;
  pool2dForward(x: number, y: number, ...geometryAndAverage: number[]): void;
  avgPoolGrad(dx: number, dy: number, ...geometry: number[]): void;
  reluGrad(y: number, dy: number, n: number): void;
  reluGradSumRows(y: number, dy: number, out: number, rows: number, cols: number, relu: number): void;
  relu(x: number, y: number, n: number): void;
  maxPoolTiles(x: number, y: number, where: number, ...geometry: number[]): void;
  convMaxPool(x: number, w: number, bias: number, y: number, work: number, ...geometry: number[]): void;
  maxPoolTilesGrad(
    y: number,
    where: number,
    dy: number,
    dx: number,
    out: number,
    ...geometryAndRelu: number[]
  ): void;
  transposeFilter(w: number, wt: number, cells: number, inC: number, outC: number, rotate: number): void;
  channelSums(
    a: number,
    b: number,
    center: number,
    sums: number,
    products: number,
    cells: number,
    channels: number,
  ): void;
  channelAffine(
    a: number,
    b: number,
    out: number,
    scale: number,
    weight: number,
    shift: number,
    cells: number,
    channels: number,
  ): void;
}

/** The module file: dist/assembly/ seen from dist/src/tf (built code) or from src/tf (ts-jest). */
function modulePath(): string {
  const name = 'kernels.wasm';
  const root = path.resolve(__dirname, '..', '..');
  const candidates = [path.join(root, 'assembly', name), path.join(root, 'dist', 'assembly', name)];
  const found = candidates.find(existsSync);
  if (!found)
    throw new Error(`the SIMD kernels are not built (no ${candidates.join(' or ')}); run npm run build`);
  return found;
}

// The few WebAssembly globals used here (the project's lib settings do not declare them).
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
};

let kernels: SimdKernels | undefined;

export function simdKernels(backend: BackendWasm): SimdKernels {
  if (kernels) return kernels;
  const memory = emscripten(backend).asm.memory;
  const module = new WebAssembly.Module(readFileSync(modulePath()));
  // assembly/kernels.ts exports exactly these functions.
  kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as SimdKernels;
  return kernels;
}

/**
 * For benchmarks: from now on this thread's kernels are `wrap`'s versions of the current ones
 * (timed ones, say); `restore` puts the originals back.
 */
export function wrapKernels(
  backend: BackendWasm,
  wrap: (name: string, kernel: (...args: number[]) => void) => (...args: number[]) => void,
): { restore(): void } {
  const original = simdKernels(backend);
  // The same names, each wrapped: a record of functions TypeScript cannot match to SimdKernels.
  kernels = Object.fromEntries(
    Object.entries(original).map(([name, kernel]) => [name, wrap(name, kernel)]),
  ) as unknown as SimdKernels;
  return {
    restore() {
      kernels = original;
    },
  };
}

/** What is used here of the wasm backend's Emscripten module: its heap and its memory. */
interface EmscriptenModule {
  HEAPU8: Uint8Array;
  asm: { memory: object };
}

/**
 * The wasm backend's Emscripten module, whose heap and memory tfjs' types do not show; `Module`
 * names the fields a caller uses (default: the heap and the memory).
 */
export function emscripten<Module = EmscriptenModule>(backend: BackendWasm): Module {
  // tfjs types backend.wasm without these fields, though every build of the backend has them.
  return backend.wasm as unknown as Module;
}

/** Byte address of a tensor's data in the wasm backend's memory. */
export function address(backend: BackendWasm, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}

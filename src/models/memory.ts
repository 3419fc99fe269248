// A job's memory, estimated at planning from its layers: what a network of these shapes must hold
// to train. Parameters (float32), their gradients and Adam's two moments; every layer's output for
// a batch, kept for the backward pass, and as much again for the gradients flowing back. A
// network too large for the machine is then refused before any job runs, instead of running for a
// minute at 5 GB per worker and dying with "memory access out of bounds".
import os from 'node:os';
import { completeLayers, outputShape, type Shape } from './shapes';
import type { LayerSpec } from './layers';
import { WASM_HEAP_MAX } from '../tf/wasm-heap-limit';

const FLOAT32 = 4;

export interface MemoryEstimate {
  parameters: number;
  /** Values of every layer's output for one image. */
  activations: number;
  bytes: number;
}

/** Weights of a layer given its input shape. */
function parametersOf(layer: LayerSpec, input: Shape, output: Shape): number {
  switch (layer.type) {
    case 'conv2d': {
      const [kr, kc] = Array.isArray(layer.kernelSize)
        ? layer.kernelSize
        : [layer.kernelSize, layer.kernelSize];
      return kr * kc * input[2] * layer.filters + layer.filters;
    }
    case 'dense':
      return input[0] * layer.units + layer.units;
    case 'batchNormalization':
      return 4 * output[output.length - 1];
    default:
      return 0;
  }
}

/** The memory to train `layers` on `input`-shaped images in batches of `batchSize`. */
export function trainingMemory(
  layers: readonly LayerSpec[],
  input: Shape,
  batchSize: number,
): MemoryEstimate {
  let shape = input;
  let parameters = 0;
  let activations = input.reduce((a, b) => a * b, 1);
  completeLayers(layers).forEach((layer, at) => {
    const output = outputShape(layer, shape, at);
    parameters += parametersOf(layer, shape, output);
    activations += output.reduce((a, b) => a * b, 1);
    shape = output;
  });
  // Weights twice (the model's and the fused training step's), gradients, Adam's m and v;
  // every layer's outputs forward and their gradients backward.
  const bytes = FLOAT32 * (5 * parameters + 2 * activations * batchSize);
  return { parameters, activations, bytes };
}

/**
 * What one job's tensors may take: the wasm backend keeps them in one heap of at most 4 GiB − 64 kB
 * (its getHeapMax()), and tfjs makes temporaries as large as a weight while it initialises and
 * updates it, so a network's estimate may take half of it.
 */
export const WASM_BUDGET = Math.floor(WASM_HEAP_MAX / 2);

/** The default limit per job: the machine's memory shared by the workers. */
export function defaultMaxMemory(workers: number): number {
  return Math.floor(os.totalmem() / Math.max(1, workers));
}

/** 1536 → "1.5 kB"; decimal units, as `free -h` and disk tools print them. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** "--max-memory 4G" → bytes: a number with an optional k/M/G/T suffix (powers of 1024). */
export function parseMemory(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)i?[bB]?\s*$/.exec(text);
  if (!match) return undefined;
  const power = ' KMGT'.indexOf(match[2].toUpperCase() || ' ');
  const bytes = Number(match[1]) * 1024 ** power;
  return bytes > 0 ? Math.round(bytes) : undefined;
}

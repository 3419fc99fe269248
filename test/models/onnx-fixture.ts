// The PyTorch fixtures of test/fixtures/onnx (written by scripts/make-onnx-fixtures.py): a model
// exported with torch.onnx.export, a few images, and PyTorch's probabilities and occlusion maps.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Classifier, ImageShape } from '../../src/models/classifier';
import type { DataImages, OnnxSettings } from '../../src/models/onnx-file';
import { occlusionGrid } from '../../src/occlusion/grid';
import { predictOcclusions } from '../../src/occlusion/predict';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'onnx');

/**
 * The built onnx-runtime module, loaded by Node itself rather than jest's module sandbox:
 * onnxruntime-web imports its wasm glue (an ES module) dynamically, which the sandbox refuses, and
 * checks its tensors' arrays against its own realm's Float32Array. `npm test` builds first.
 */
export function onnxRuntimeModule(): typeof import('../../src/models/onnx-runtime') {
  const { createRequire } = process.getBuiltinModule('node:module');
  return createRequire(__filename)(
    path.join(__dirname, '..', '..', 'dist', 'src', 'models', 'onnx-runtime.js'),
  );
}

export interface TorchFixture {
  model: string;
  torch: string;
  rows: number;
  cols: number;
  channels: number;
  input: { layout: 'NCHW'; scale: [number, number]; mean: number[]; std: number[] };
  occlusion: { patch: number; stride: number; fill: number };
  images: { index: number; label: number; pixels: number[]; probabilities: number[]; occlusion: number[] }[];
}

export function torchFixture(name: 'figure1-mnist' | 'rgb-32'): {
  fixture: TorchFixture;
  file: string;
  shape: ImageShape;
  data: DataImages;
  settings: OnnxSettings;
  /** Image i's pixels in 0..1, channels last. */
  pixels(i: number): Float32Array;
} {
  const fixture = JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as TorchFixture;
  const { rows, cols, channels } = fixture;
  const classes = fixture.images[0].probabilities.length;
  return {
    fixture,
    file: path.join(FIXTURES, fixture.model),
    shape: { rows, cols, channels },
    data: { rows, cols, channels, classes, name: name },
    settings: { input: { mean: fixture.input.mean, std: fixture.input.std } },
    pixels: (i) => Float32Array.from(fixture.images[i].pixels, (v) => v / 255),
  };
}

/** The largest |a − b| over two lists of the same length. */
export function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/**
 * Each fixture image through `classifier` as probelab's occlusion maps predict it (every channel
 * of a patch filled): its probabilities and those of its occluded copies, to set beside PyTorch's.
 */
export async function occlusionThrough(
  classifier: Classifier,
  { fixture, shape, pixels }: ReturnType<typeof torchFixture>,
): Promise<{ clean: Float32Array; occluded: Float32Array }[]> {
  const { patch, stride, fill } = fixture.occlusion;
  const grid = occlusionGrid(shape.rows, shape.cols, patch, stride, shape.channels);
  const maps = [];
  for (const i of fixture.images.keys())
    maps.push(await predictOcclusions(classifier, pixels(i), grid, 0, grid.count, fill));
  return maps;
}

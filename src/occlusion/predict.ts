// Predictions for occluded copies of one image. The speed of occlusion rests on two things:
// - one `predict` per call with batchSize = the number of images (tfjs' default of 32 is 2–3×
//   slower on wasm);
// - positions where the patch changes no pixel (a black patch on black background: ~14% of the
//   8×8 positions on MNIST test digits) are not predicted again: their copy is the image itself,
//   so they get the clean image's probabilities, which are predicted in the same batch;
// - on wasm, each copy of a tfjs model's image recomputes only the part of each layer its patch
//   changes (incremental.ts); other models (ONNX) predict the copies whole.
import type { Classifier } from '../models/classifier';
import { positionAt, type OcclusionGrid } from './grid';
import { predictIncrementally } from './incremental';
import { occludeInPlace } from './occlude';

/** Whether the patch at position k changes any pixel of the image (compared as the float32 the copy would hold). */
export function patchChangesImage(
  image: Float32Array,
  grid: OcclusionGrid,
  k: number,
  fill: number,
): boolean {
  const value = Math.fround(fill);
  const { row, col } = positionAt(grid, k);
  const { channels } = grid;
  for (let r = row; r < row + grid.patch; r++) {
    const start = (r * grid.imageCols + col) * channels;
    for (let i = start; i < start + grid.patch * channels; i++) if (image[i] !== value) return true;
  }
  return false;
}

export interface OcclusionPredictions {
  classes: number;
  /** Probabilities of the unoccluded image. */
  clean: Float32Array;
  /** (end − start) × classes probabilities, by position. */
  occluded: Float32Array;
  /** How many copies were actually predicted besides the clean image. */
  predicted: number;
}

/** Probabilities of the image and of its copies occluded at positions [start, end), in one batched predict. */
export async function predictOcclusions(
  classifier: Classifier,
  image: Float32Array,
  grid: OcclusionGrid,
  start: number,
  end: number,
  fill: number,
  buffer?: Float32Array,
): Promise<OcclusionPredictions> {
  const changing: number[] = [];
  for (let k = start; k < end; k++) if (patchChangesImage(image, grid, k, fill)) changing.push(k);
  const count = changing.length + 1;
  const patches = changing.map((k) => {
    const { row, col } = positionAt(grid, k);
    return { row, col, rows: grid.patch, cols: grid.patch };
  });
  const incremental = classifier.layersModel
    ? predictIncrementally(classifier.layersModel, image, patches, Math.fround(fill))
    : null;
  const probs = incremental ?? (await predictCopies(classifier, image, grid, changing, fill, buffer));
  const classes = probs.length / count;
  const clean = probs.slice(0, classes);
  const occluded = new Float32Array((end - start) * classes);
  for (let k = start; k < end; k++) occluded.set(clean, (k - start) * classes);
  changing.forEach((k, i) =>
    occluded.set(probs.subarray((i + 1) * classes, (i + 2) * classes), (k - start) * classes),
  );
  return { classes, clean, occluded, predicted: changing.length };
}

/** The image and its copies occluded at the `changing` positions, predicted whole in one batch. */
function predictCopies(
  classifier: Classifier,
  image: Float32Array,
  grid: OcclusionGrid,
  changing: number[],
  fill: number,
  buffer?: Float32Array,
): Promise<Float32Array> {
  const pixels = grid.imageRows * grid.imageCols * grid.channels;
  const count = changing.length + 1;
  const batch = buffer && buffer.length >= count * pixels ? buffer : new Float32Array(count * pixels);
  batch.set(image);
  changing.forEach((k, i) => {
    const offset = (i + 1) * pixels;
    batch.set(image, offset);
    occludeInPlace(batch, grid, k, fill, offset);
  });
  return classifier.probabilities(batch, count);
}

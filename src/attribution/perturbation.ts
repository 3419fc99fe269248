// What the gradient-free attribution methods share: an image cut into features (square patches of
// pixels; a pixel's channels always go together), copies of it with some features replaced by a
// baseline, and the target class's output for many such copies in batched classifier calls.
// Domain code: src/attribution/methods.ts calls it.
import type { Classifier } from '../models/classifier';
import { fillValue } from '../occlusion/occlude';
import { channelsOf, type ImageBatch, valuesPerImage } from './gradients';

/** The image's pixels grouped into features: patch × patch squares (smaller at the right and bottom edges). */
export interface Features {
  count: number;
  /** rows × cols: the feature of each pixel. */
  of: Int32Array;
}

export function patchFeatures(rows: number, cols: number, patch: number): Features {
  const across = Math.ceil(cols / patch);
  const of = new Int32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) of[r * cols + c] = Math.floor(r / patch) * across + Math.floor(c / patch);
  return { count: Math.ceil(rows / patch) * across, of };
}

/** One image of a batch, its baseline (every value the fill) and the target it is attributed to. */
export interface Subject {
  image: Float32Array;
  baseline: Float32Array;
  target: number;
  channels: number;
}

/** The subjects of a batch: each image with a baseline of `fill` (a value, or its own mean). */
export function subjects(
  batch: ImageBatch,
  targets: ArrayLike<number>,
  fill: number | 'image-mean',
): Subject[] {
  const size = valuesPerImage(batch);
  return Array.from({ length: batch.count }, (_, i) => {
    const image = batch.pixels.subarray(i * size, (i + 1) * size);
    return {
      image,
      baseline: new Float32Array(size).fill(fillValue(fill, image)),
      target: targets[i],
      channels: channelsOf(batch),
    };
  });
}

/**
 * Writes into `into` the image with each pixel taken from the image where `weight` of its feature
 * is 1, from the baseline where it is 0, and blended in between (RISE's smooth masks).
 */
export function blend(
  subject: Subject,
  features: Features,
  weight: ArrayLike<number>,
  into: Float32Array,
): void {
  const { image, baseline, channels } = subject;
  for (let p = 0; p < features.of.length; p++) {
    const w = weight[features.of[p]];
    for (let v = p * channels; v < (p + 1) * channels; v++)
      into[v] = baseline[v] + w * (image[v] - baseline[v]);
  }
}

/**
 * The target's output for `count` copies of an image, each written by `write(k, into)`, predicted
 * `batchSize` copies per classifier call.
 */
export async function targetOutputsOf(
  classifier: Classifier,
  subject: Subject,
  count: number,
  write: (k: number, into: Float32Array) => void,
  batchSize: number,
): Promise<Float64Array> {
  const size = subject.image.length;
  const outputs = new Float64Array(count);
  const buffer = new Float32Array(Math.min(count, batchSize) * size);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    for (let k = 0; k < n; k++) write(start + k, buffer.subarray(k * size, (k + 1) * size));
    const probabilities = await classifier.probabilities(buffer.subarray(0, n * size), n);
    const classes = probabilities.length / n;
    for (let k = 0; k < n; k++) outputs[start + k] = probabilities[k * classes + subject.target];
  }
  return outputs;
}

/** A map of feature values: each pixel holds its feature's value (Captum's convention for grouped features). */
export function featureMap(features: Features, values: ArrayLike<number>, into: Float32Array): void {
  for (let p = 0; p < features.of.length; p++) into[p] = values[features.of[p]];
}

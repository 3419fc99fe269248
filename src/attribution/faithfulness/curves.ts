// Deletion and insertion curves (after Petsiuk et al., RISE, 2018): pixels are removed from the
// image (deletion: set to the baseline) or added to the baseline (insertion) in the order of an
// attribution, a step at a time, and the model's probability for the target class is recorded
// after each step. A faithful map makes the deletion curve fall fast (small area) and the
// insertion curve rise fast (large area). Both curves of one image go through one predict.
import type { Classifier } from '../../models/classifier';

export interface CurvePoints {
  /** Share of the pixels changed at each point, 0 first and 1 last. */
  fractions: number[];
  /** Pixels changed at each point. */
  counts: number[];
}

/** Points 0, 1/steps, ..., 1 of the pixels (rounded to whole pixels). */
export function curvePoints(pixels: number, steps: number): CurvePoints {
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`steps: expected a positive integer, got ${steps}`);
  const counts = Array.from({ length: steps + 1 }, (_, k) => Math.round((k * pixels) / steps));
  return { counts, fractions: counts.map((n) => n / pixels) };
}

/**
 * The copies both curves predict, back to back: deletion's `points` copies (the image with the
 * first `counts[k]` pixels of `order` set to the baseline), then insertion's (the baseline with
 * those pixels taken from the image). A pixel of an RGB image (`channels` 3, interleaved) changes
 * all its channels at once.
 */
export function perturbedCopies(
  image: Float32Array,
  baseline: Float32Array,
  order: Uint32Array,
  points: CurvePoints,
  channels = 1,
): Float32Array {
  const size = image.length;
  const count = points.counts.length;
  const copies = new Float32Array(2 * count * size);
  for (const [curve, start, from] of [
    [0, image, baseline],
    [1, baseline, image],
  ] as const) {
    const current = Float32Array.from(start);
    let changed = 0;
    points.counts.forEach((n, k) => {
      for (; changed < n; changed++)
        for (let v = order[changed] * channels; v < (order[changed] + 1) * channels; v++)
          current[v] = from[v];
      copies.set(current, (curve * count + k) * size);
    });
  }
  return copies;
}

/** Area under a curve sampled at `fractions` (trapezoids, x from 0 to 1). */
export function curveArea(fractions: readonly number[], values: readonly number[]): number {
  let area = 0;
  for (let k = 1; k < values.length; k++)
    area += ((values[k] + values[k - 1]) / 2) * (fractions[k] - fractions[k - 1]);
  return area;
}

export interface ImageCurves {
  deletion: number[];
  insertion: number[];
  deletionArea: number;
  insertionArea: number;
}

/** Both curves of one image (pixels in 0..1) for the class `target`, in one batched predict. */
export async function imageCurves(
  classifier: Classifier,
  image: Float32Array,
  baseline: Float32Array,
  order: Uint32Array,
  points: CurvePoints,
  target: number,
  channels = 1,
): Promise<ImageCurves> {
  const copies = perturbedCopies(image, baseline, order, points, channels);
  const count = points.counts.length;
  const probabilities = await classifier.probabilities(copies, 2 * count);
  const classes = probabilities.length / (2 * count);
  const curve = (c: number) =>
    Array.from({ length: count }, (_, k) => probabilities[(c * count + k) * classes + target]);
  const [deletion, insertion] = [curve(0), curve(1)];
  return {
    deletion,
    insertion,
    deletionArea: curveArea(points.fractions, deletion),
    insertionArea: curveArea(points.fractions, insertion),
  };
}

// Integrated gradients (Sundararajan et al., 2017): (x − x′) · ∫₀¹ ∂y_c/∂x at x′ + α(x − x′) dα,
// by the trapezoid rule on `steps` evenly spaced points (Captum's "riemann_trapezoid"), summed
// over channels. The steps of several images go through one batched gradient call. Completeness
// (Σ attributions = y_c(x) − y_c(x′)) is reported per image: it measures the integration error.
import type * as tf from '@tensorflow/tfjs';
import { baselineOf } from './baselines';
import {
  channelsOf,
  inputGradients,
  sumOverChannels,
  targetOutputs,
  valuesPerImage,
  type ImageBatch,
} from './gradients';
import type { MethodSettings } from './settings';

type Settings = Extract<MethodSettings, { method: 'integrated-gradients' }>;

export interface Completeness {
  /** Σ attributions over the image. */
  attributionSum: number;
  /** y_c(x) − y_c(baseline). */
  outputDifference: number;
  /** |Σ attributions − (y_c(x) − y_c(baseline))| / |y_c(x) − y_c(baseline)|. */
  relativeError: number;
}

/** Trapezoid weights of `steps` points on [0, 1]: 1/(steps − 1), halved at both ends. */
export function trapezoidWeights(steps: number): Float64Array {
  const w = new Float64Array(steps).fill(1 / (steps - 1));
  w[0] /= 2;
  w[steps - 1] /= 2;
  return w;
}

export function integratedGradientsMaps(
  model: tf.LayersModel,
  batch: ImageBatch,
  targets: ArrayLike<number>,
  settings: Settings,
  batchSize: number,
): { maps: Float32Array; completeness: Completeness[] } {
  const { steps } = settings;
  const channels = channelsOf(batch);
  const size = valuesPerImage(batch);
  const weights = trapezoidWeights(steps);
  const baselines = new Float32Array(batch.count * size);
  for (let i = 0; i < batch.count; i++)
    baselines.set(
      baselineOf(
        settings.baseline,
        batch.pixels.subarray(i * size, (i + 1) * size),
        batch.rows,
        batch.cols,
        channels,
        settings.blurSigma,
      ),
      i * size,
    );
  const attributions = new Float32Array(batch.count * size);
  // Whole images per group, so an image's gradient calls do not depend on its neighbours.
  const imagesPerGroup = Math.max(1, Math.floor(batchSize / steps));
  for (let first = 0; first < batch.count; first += imagesPerGroup) {
    const last = Math.min(batch.count, first + imagesPerGroup);
    const count = (last - first) * steps;
    const path = new Float32Array(count * size);
    const pathTargets = new Int32Array(count);
    for (let i = first; i < last; i++) {
      const x = batch.pixels.subarray(i * size, (i + 1) * size);
      const b = baselines.subarray(i * size, (i + 1) * size);
      for (let k = 0; k < steps; k++) {
        const alpha = k / (steps - 1);
        const at = ((i - first) * steps + k) * size;
        for (let v = 0; v < size; v++) path[at + v] = b[v] + alpha * (x[v] - b[v]);
        pathTargets[(i - first) * steps + k] = targets[i];
      }
    }
    const gradients = inputGradients(model, { ...batch, pixels: path, count }, pathTargets, batchSize);
    for (let i = first; i < last; i++) {
      const mean = new Float64Array(size);
      for (let k = 0; k < steps; k++) {
        const at = ((i - first) * steps + k) * size;
        for (let v = 0; v < size; v++) mean[v] += weights[k] * gradients[at + v];
      }
      for (let v = 0; v < size; v++)
        attributions[i * size + v] = (batch.pixels[i * size + v] - baselines[i * size + v]) * mean[v];
    }
  }
  const maps = sumOverChannels(attributions, batch.count, batch.rows * batch.cols, channels);
  const atImage = targetOutputs(model, batch, targets);
  const atBaseline = targetOutputs(model, { ...batch, pixels: baselines }, targets);
  const pixels = batch.rows * batch.cols;
  const completeness = Array.from({ length: batch.count }, (_, i): Completeness => {
    let sum = 0;
    for (let p = 0; p < pixels; p++) sum += maps[i * pixels + p];
    const difference = atImage[i] - atBaseline[i];
    return {
      attributionSum: sum,
      outputDifference: difference,
      relativeError: Math.abs(sum - difference) / Math.abs(difference),
    };
  });
  return { maps, completeness };
}

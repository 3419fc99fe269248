// SmoothGrad (Smilkov et al., 2017) of saliency: the mean of |∂y_c/∂x| over `samples` copies of
// the image with Gaussian noise of σ = noise × (max − min of the image), largest over channels
// (Captum's NoiseTunnel over Saliency). An image's noise comes from the seed and the image's key
// (its test index), so it is the same in any batch. The samples of several images go through
// one batched gradient call.
import type * as tf from '@tensorflow/tfjs';
import { deriveSeed, mulberry32 } from '../random';
import { channelsOf, inputGradients, maxAbsOverChannels, valuesPerImage, type ImageBatch } from './gradients';
import type { MethodSettings } from './settings';

type Settings = Extract<MethodSettings, { method: 'smoothgrad' }>;

/** Standard normal draws (Box–Muller) from a seeded uniform stream. */
export function gaussianNoise(count: number, seed: number): Float32Array {
  const uniform = mulberry32(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const u = 1 - uniform(); // in (0, 1]: log(u) is finite
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < count) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

function rangeOf(values: Float32Array): number {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return max - min;
}

export function smoothgradMaps(
  model: tf.LayersModel,
  batch: ImageBatch,
  targets: ArrayLike<number>,
  settings: Settings,
  keys: readonly number[],
  batchSize: number,
): Float32Array {
  const { samples } = settings;
  const channels = channelsOf(batch);
  const size = valuesPerImage(batch);
  const pixels = batch.rows * batch.cols;
  const maps = new Float32Array(batch.count * pixels);
  const imagesPerGroup = Math.max(1, Math.floor(batchSize / samples));
  for (let first = 0; first < batch.count; first += imagesPerGroup) {
    const last = Math.min(batch.count, first + imagesPerGroup);
    const count = (last - first) * samples;
    const noisy = new Float32Array(count * size);
    const noisyTargets = new Int32Array(count);
    for (let i = first; i < last; i++) {
      const x = batch.pixels.subarray(i * size, (i + 1) * size);
      const sigma = settings.noise * rangeOf(x);
      const noise = gaussianNoise(samples * size, deriveSeed(settings.seed, `smoothgrad image ${keys[i]}`));
      for (let s = 0; s < samples; s++) {
        const at = ((i - first) * samples + s) * size;
        for (let v = 0; v < size; v++) noisy[at + v] = x[v] + sigma * noise[s * size + v];
        noisyTargets[(i - first) * samples + s] = targets[i];
      }
    }
    const gradients = inputGradients(model, { ...batch, pixels: noisy, count }, noisyTargets, batchSize);
    const saliency = maxAbsOverChannels(gradients, count, pixels, channels);
    for (let i = first; i < last; i++) {
      for (let p = 0; p < pixels; p++) {
        let sum = 0;
        for (let s = 0; s < samples; s++) sum += saliency[((i - first) * samples + s) * pixels + p];
        maps[i * pixels + p] = sum / samples;
      }
    }
  }
  return maps;
}

// Baselines of integrated gradients: the image the path starts from.
import { meanOf } from '../occlusion/occlude';
import type { BaselineName } from './settings';

/** A normalised 1-D Gaussian kernel of radius ⌈3σ⌉. */
function gaussianKernel(sigma: number): Float64Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
    sum += kernel[i + radius];
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] /= sum;
  return kernel;
}

/** Separable Gaussian blur of each channel of one image (rows × cols × channels), edges clamped. */
export function gaussianBlur(
  image: Float32Array,
  rows: number,
  cols: number,
  channels: number,
  sigma: number,
): Float32Array {
  const kernel = gaussianKernel(sigma);
  const radius = (kernel.length - 1) / 2;
  const clamp = (v: number, n: number) => (v < 0 ? 0 : v >= n ? n - 1 : v);
  const across = new Float32Array(image.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      for (let ch = 0; ch < channels; ch++) {
        let s = 0;
        for (let k = -radius; k <= radius; k++)
          s += kernel[k + radius] * image[(r * cols + clamp(c + k, cols)) * channels + ch];
        across[(r * cols + c) * channels + ch] = s;
      }
  const out = new Float32Array(image.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      for (let ch = 0; ch < channels; ch++) {
        let s = 0;
        for (let k = -radius; k <= radius; k++)
          s += kernel[k + radius] * across[(clamp(r + k, rows) * cols + c) * channels + ch];
        out[(r * cols + c) * channels + ch] = s;
      }
  return out;
}

/** The baseline of one image (rows × cols × channels values). */
export function baselineOf(
  name: BaselineName,
  image: Float32Array,
  rows: number,
  cols: number,
  channels: number,
  blurSigma: number,
): Float32Array {
  if (name === 'black') return new Float32Array(image.length);
  if (name === 'image-mean') return new Float32Array(image.length).fill(meanOf(image));
  return gaussianBlur(image, rows, cols, channels, blurSigma);
}

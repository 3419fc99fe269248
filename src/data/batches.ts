// Turning bytes of a split into model inputs: pixels scaled to 0..1, shaped [n, rows, cols, channels].
import * as tf from '@tensorflow/tfjs';
import type { Split } from './datasets';

export function imagesTensor(
  pixels: Float32Array,
  count: number,
  rows: number,
  cols: number,
  channels = 1,
): tf.Tensor4D {
  return tf.tensor4d(pixels.subarray(0, count * rows * cols * channels), [count, rows, cols, channels]);
}

/** Pixels 0..1 of images [start, end) of the split, as one tensor. */
export function rangeTensor(
  split: Split,
  rows: number,
  cols: number,
  start = 0,
  end = split.count,
): tf.Tensor4D {
  const pixels = rows * cols;
  const out = new Float32Array((end - start) * pixels);
  for (let i = 0; i < out.length; i++) out[i] = split.images[start * pixels + i] / 255;
  return tf.tensor4d(out, [end - start, rows, cols, 1]);
}

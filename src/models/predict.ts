// Class probabilities of a batch of images, the way every probe and evaluation predicts: through
// the fused network where it covers the model, else through tfjs' predict.
import * as tf from '@tensorflow/tfjs';
import { fusedProbabilities } from '../tf/fused-predict';

/**
 * Class probabilities of `count` images of rows × cols × channels values (0..1, channels last), count × classes, row-major:
 * through the fused network where it covers the model (about 4× tfjs' predict on Figure 1: `npm run
 * bench versus`), else tfjs' predict.
 */
export function predictBatch(
  model: tf.LayersModel,
  pixels: Float32Array,
  count: number,
  rows: number,
  cols: number,
  channels = 1,
): Float32Array {
  return (
    fusedProbabilities(model, pixels, count) ?? tfjsProbabilities(model, pixels, count, rows, cols, channels)
  );
}

/** Channels of the model's input (1 when its shape leaves them open). */
export function inputChannels(model: tf.LayersModel): number {
  return model.inputs[0].shape[3] ?? 1;
}

/** tfjs' predict of the same, in one call (its default batch of 32 is 2–3× slower on wasm). */
export function tfjsProbabilities(
  model: tf.LayersModel,
  pixels: Float32Array,
  count: number,
  rows: number,
  cols: number,
  channels = 1,
): Float32Array {
  const probs = tf.tidy(() => {
    const x = tf.tensor4d(pixels.subarray(0, count * rows * cols * channels), [count, rows, cols, channels]);
    return model.predict(x, { batchSize: count }) as tf.Tensor;
  });
  try {
    return probs.dataSync() as Float32Array;
  } finally {
    probs.dispose();
  }
}

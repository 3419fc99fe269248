// One batched prediction over many images: the speed of occlusion rests on this being a single
// `predict` with batchSize = the number of images (the default 32 is 2–3× slower on wasm).
import * as tf from '@tensorflow/tfjs';

/** Class probabilities of `count` images of rows × cols pixels (0..1), count × classes, row-major. */
export function predictBatch(model: tf.LayersModel, pixels: Float32Array, count: number, rows: number, cols: number): Float32Array {
  const probs = tf.tidy(() => {
    const x = tf.tensor4d(pixels.subarray(0, count * rows * cols), [count, rows, cols, 1]);
    return model.predict(x, { batchSize: count }) as tf.Tensor;
  });
  try {
    return probs.dataSync() as Float32Array;
  } finally {
    probs.dispose();
  }
}

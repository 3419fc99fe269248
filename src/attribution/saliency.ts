// Saliency (Simonyan et al., 2014): |∂y_c/∂x|, the largest over channels.
import type * as tf from '@tensorflow/tfjs';
import { channelsOf, inputGradients, maxAbsOverChannels, type ImageBatch } from './gradients';

export function saliencyMaps(
  model: tf.LayersModel,
  batch: ImageBatch,
  targets: ArrayLike<number>,
  batchSize: number,
): Float32Array {
  const gradients = inputGradients(model, batch, targets, batchSize);
  return maxAbsOverChannels(gradients, batch.count, batch.rows * batch.cols, channelsOf(batch));
}

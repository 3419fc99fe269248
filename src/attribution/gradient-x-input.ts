// Gradient × input (Shrikumar et al., 2016): ∂y_c/∂x · x, summed over channels.
import type * as tf from '@tensorflow/tfjs';
import { channelsOf, inputGradients, sumOverChannels, type ImageBatch } from './gradients';

export function gradientXInputMaps(
  model: tf.LayersModel,
  batch: ImageBatch,
  targets: ArrayLike<number>,
  batchSize: number,
): Float32Array {
  const products = inputGradients(model, batch, targets, batchSize);
  for (let i = 0; i < products.length; i++) products[i] *= batch.pixels[i];
  return sumOverChannels(products, batch.count, batch.rows * batch.cols, channelsOf(batch));
}

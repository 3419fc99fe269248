// Class probabilities through the fused network (fused-network.ts) in inference mode: one SIMD
// kernel call per layer and batch, with no tfjs graph, tensors or bookkeeping in between, the
// same passes the training step and the input gradients use. Undefined when the network does not
// apply (another backend, a layer it does not cover): the caller then takes tfjs' predict.
import type * as tf from '@tensorflow/tfjs';
import { FusedNetwork, softmax } from './fused-network';

/** Images per pass: the activations of 256 Figure 1 images take about 10 MB of the wasm heap. */
export const FUSED_PREDICT_BATCH = 256;

/** Softmax probabilities of the first `count` images (count × the input's values, channels last), count × classes. */
export function fusedProbabilities(
  model: tf.LayersModel,
  pixels: Float32Array,
  count: number,
  batchSize = FUSED_PREDICT_BATCH,
): Float32Array | undefined {
  if (count < 1) return undefined;
  const network = FusedNetwork.create(model, {
    batchSize: Math.min(batchSize, count),
    training: false,
    weightGradients: false,
    inputGradient: false,
  });
  if (!network) return undefined;
  try {
    const { input, logits, scratch } = network;
    const out = new Float32Array(count * logits.classes);
    const p = new Float64Array(logits.classes);
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      network.forward(pixels.subarray(start * input.values, (start + n) * input.values), n);
      const z = scratch.view(logits.at, n * logits.classes);
      for (let b = 0; b < n; b++) {
        softmax(z, b * logits.classes, logits.classes, p);
        out.set(p, (start + b) * logits.classes);
      }
    }
    return out;
  } finally {
    network.dispose();
  }
}

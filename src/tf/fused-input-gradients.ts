// ∂p_t/∂x, the gradient of one class's softmax probability with respect to the input image, for
// a batch of images through the fused network (fused-network.ts): one SIMD forward and backward
// pass in inference mode (dropout passes everything), the weights' gradients skipped, instead of
// tfjs' tape with its many small kernel calls and their bookkeeping. The gradient-based
// attributions (saliency, gradient × input, integrated gradients, SmoothGrad) all reduce to it.
import type * as tf from '@tensorflow/tfjs';
import { FusedNetwork, softmax } from './fused-network';

const f32 = Math.fround;

/**
 * ∂p_{t_i}/∂x_i for each of the `count` images (count × the input's values, channels last), at
 * most `batchSize` per pass; undefined when the fused network does not apply to the model (then
 * take tfjs' gradient).
 */
export function fusedInputGradients(
  model: tf.LayersModel,
  pixels: Float32Array,
  targets: ArrayLike<number>,
  count: number,
  batchSize: number,
): Float32Array | undefined {
  const network = FusedNetwork.create(model, {
    batchSize: Math.max(1, Math.min(batchSize, count)),
    training: false,
    weightGradients: false,
    inputGradient: true,
  });
  if (!network) return undefined;
  try {
    const { input, logits, scratch } = network;
    const out = new Float32Array(count * input.values);
    const p = new Float64Array(logits.classes);
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      network.forward(pixels.subarray(start * input.values), n);
      const z = scratch.view(logits.at, n * logits.classes);
      const g = scratch.view(logits.grad, n * logits.classes);
      for (let b = 0; b < n; b++) {
        // ∂p_t/∂z_j = p_t (δ_tj − p_j).
        const at = b * logits.classes;
        const t = targets[start + b];
        softmax(z, at, logits.classes, p);
        for (let j = 0; j < logits.classes; j++) g[at + j] = f32(p[t] * ((j === t ? 1 : 0) - p[j]));
      }
      network.backward(n);
      out.set(scratch.view(input.grad, n * input.values), start * input.values);
    }
    return out;
  } finally {
    network.dispose();
  }
}

// Class probabilities through the fused network (fused-network.ts) in inference mode: one SIMD
// kernel call per layer and batch, with no tfjs graph, tensors or bookkeeping in between, the
// same passes the training step and the input gradients use. Undefined when the network does not
// apply (another backend, a layer it does not cover): the caller then takes tfjs' predict.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { FusedNetwork, softmax } from './fused-network';
import { simdKernels } from './simd-module';

/** Images per pass: the activations of 256 Figure 1 images take about 3 MB of the wasm heap. */
export const FUSED_PREDICT_BATCH = 256;

/**
 * The network of the model this thread predicted last, kept for its next call: probes predict
 * the same model batch after batch, and building a network (planning, scratch memory, weights)
 * costs about 0.9 ms, close to a microsecond per image of a 1,000-image batch. One per thread, so
 * its scratch memory stays bounded; `network` undefined: the fused network does not cover it.
 */
let kept:
  | { model: tf.LayersModel; backend: tf.KernelBackend; batchSize: number; network: FusedNetwork | undefined }
  | undefined;

/**
 * The forward-only network of `model` for passes of up to `batchSize` images: the kept one when it
 * is of the same model and backend with room enough, its weights read anew (training changes
 * them between calls); else a new one, which is kept instead.
 */
function forwardNetwork(model: tf.LayersModel, batchSize: number): FusedNetwork | undefined {
  const backend = tf.backend();
  if (keptFits(model, backend, batchSize)) {
    kept!.network?.readWeights();
    return kept!.network;
  }
  forgetNetwork();
  const network = FusedNetwork.create(model, {
    batchSize,
    training: false,
    weightGradients: false,
    inputGradient: false,
  });
  kept = { model, backend, batchSize, network };
  return network;
}

/** Whether the kept network serves `model` now: same model, backend and kernels (a benchmark may wrap them), room enough. */
function keptFits(model: tf.LayersModel, backend: tf.KernelBackend, batchSize: number): boolean {
  if (kept?.model !== model || kept.backend !== backend) return false;
  const { network } = kept;
  return !network || (kept.batchSize >= batchSize && network.kernels === simdKernels(backend as BackendWasm));
}

/** Frees the kept network's scratch memory (the next prediction builds one again). */
function forgetNetwork(): void {
  kept?.network?.dispose();
  kept = undefined;
}

/** Softmax probabilities of the first `count` images (count × the input's values, channels last), count × classes. */
export function fusedProbabilities(
  model: tf.LayersModel,
  pixels: Float32Array,
  count: number,
  batchSize = FUSED_PREDICT_BATCH,
): Float32Array | undefined {
  if (count < 1) return undefined;
  let network: FusedNetwork | undefined;
  try {
    network = forwardNetwork(model, Math.min(batchSize, count));
  } catch (error) {
    forgetNetwork();
    throw error;
  }
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
  } catch (error) {
    forgetNetwork();
    throw error;
  }
}

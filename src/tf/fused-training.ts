// A training step for sequential CNNs on the wasm backend that bypasses tfjs' tape: the forward
// and backward pass of the fused network (fused-network.ts: one SIMD kernel call per layer on the
// whole batch), the softmax cross-entropy a plain loop, and Adam the `adam` kernel with FusedAdam's
// arithmetic. Weights, moments, activations and gradients stay in scratch memory of the backend's
// heap from step to step; the weights go back into the model's variables when asked.
// Supported: the fused network's layers (see there), trained by Adam; anything else: `undefined`,
// and the caller trains through tfjs.
import * as tf from '@tensorflow/tfjs';
import { AdamScalars, FusedAdam } from './fused-adam';
import { FusedNetwork, softmax } from './fused-network';

const f32 = Math.fround;

export interface FusedTrainingOptions {
  /** The largest batch a step will get. */
  batchSize: number;
  /** Probabilities are clipped to [clip, 1 − clip] before the log, as Keras does. */
  clip: number;
}

export interface StepResult {
  /** The sum over the batch of each image's cross-entropy. */
  loss: number;
  /** Images whose most probable class is their label. */
  hits: number;
}

export class FusedTraining {
  private constructor(
    private readonly network: FusedNetwork,
    /** Adam's moments of each of the network's params, in scratch memory. */
    private readonly moments: { m: number; v: number }[],
    private readonly adam: AdamScalars,
    private readonly clip: number,
  ) {}

  /**
   * The fused step for this model and optimizer, or undefined when it does not apply: another
   * backend or optimizer, or a layer the fused network does not support.
   */
  static create(
    model: tf.LayersModel,
    optimizer: tf.Optimizer,
    { batchSize, clip }: FusedTrainingOptions,
  ): FusedTraining | undefined {
    // Not `instanceof`: tf.Optimizer answers it for any object with an optimizer's methods.
    if (Object.getPrototypeOf(optimizer) !== FusedAdam.prototype) return undefined;
    const network = FusedNetwork.create(model, {
      batchSize,
      training: true,
      weightGradients: true,
      inputGradient: false,
    });
    if (!network) return undefined;
    const moments = network.params.map((p) => ({
      m: network.scratch.alloc(p.size),
      v: network.scratch.alloc(p.size),
    }));
    const { learningRate, beta1, beta2, epsilon } = (optimizer as FusedAdam).scalars;
    return new FusedTraining(network, moments, new AdamScalars(learningRate, beta1, beta2, epsilon), clip);
  }

  /**
   * One step on the first `n` images of `images` (n × the model's input size) with their labels;
   * dropout masks drawn from `random`.
   */
  step(images: Float32Array, labels: Int32Array, n: number, random: () => number): StepResult {
    const result = this.computeGradients(images, labels, n, random);
    const scalars = this.adam.current();
    const { kernels, params } = this.network;
    params.forEach((p, i) => {
      const { m, v } = this.moments[i];
      kernels.adam(p.value, p.value, m, v, p.grad, p.size, ...scalars);
    });
    this.adam.advance();
    return result;
  }

  /** The forward and backward pass of `step`, without the update. */
  computeGradients(images: Float32Array, labels: Int32Array, n: number, random: () => number): StepResult {
    this.network.random = random;
    this.network.forward(images, n);
    const result = this.softmaxCrossEntropy(labels, n);
    this.network.backward(n);
    return result;
  }

  /** The last computed gradient of each trainable variable, by the variable's name. */
  gradients(): Map<string, Float32Array> {
    const { params, scratch } = this.network;
    return new Map(params.map((p) => [p.variable.name, scratch.view(p.grad, p.size).slice()]));
  }

  /**
   * Softmax of the logits, the batch's cross-entropy and its gradient with respect to the logits
   * as tfjs computes it: (p − onehot) / n, and 0 for an image whose probability of its label
   * was clipped (clipByValue passes no gradient there).
   */
  private softmaxCrossEntropy(labels: Int32Array, n: number): StepResult {
    const { at, grad, classes } = this.network.logits;
    const z = this.network.scratch.view(at, n * classes);
    const g = this.network.scratch.view(grad, n * classes);
    const low = f32(this.clip);
    const high = f32(1 - this.clip);
    const p = new Float64Array(classes);
    let loss = 0;
    let hits = 0;
    for (let b = 0; b < n; b++) {
      const row = b * classes;
      const best = softmax(z, row, classes, p);
      const label = labels[b];
      const pLabel = f32(p[label]);
      const clipped = pLabel < low || pLabel > high;
      loss -= Math.log(Math.min(Math.max(pLabel, low), high));
      if (best === label) hits++;
      for (let j = 0; j < classes; j++) g[row + j] = clipped ? 0 : (p[j] - (j === label ? 1 : 0)) / n;
    }
    return { loss, hits };
  }

  /** Writes the trained weights into the model's variables (fresh tensors: see FusedAdam on why). */
  writeWeights(): void {
    for (const p of [...this.network.params, ...this.network.state]) {
      const tensor = tf.tensor(this.network.scratch.view(p.value, p.size).slice(), p.variable.shape);
      p.variable.assign(tensor);
      tensor.dispose();
    }
  }

  dispose(): void {
    this.network.dispose();
  }
}

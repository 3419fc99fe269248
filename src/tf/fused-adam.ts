// Adam for the wasm backend as one SIMD kernel call per variable (assembly/kernels.ts, `adam`),
// updating the moments in place. The weights go to fresh memory, as with tfjs' own optimizers:
// the backend caches packed filters by tensor data (XNNPACK operators), so a weight changed in
// place would leave the next forward pass on stale filters. tfjs' AdamOptimizer runs about 17 tensor ops per
// variable per step, and at the Figure 1 network's size their overhead, not their arithmetic,
// is most of its cost. The kernel does tfjs' float32 operations in tfjs' order, so the weights
// are bit-identical to tf.train.adam's (tested); other backends get tf.train.adam itself.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { address, simdKernels } from './simd-module';

const f32 = Math.fround;

interface Moments {
  m: tf.Variable;
  v: tf.Variable;
}

/**
 * The scalar arguments of the `adam` kernel, step after step: β1^t and β2^t as tfjs keeps them
 * (float32 scalars multiplied once per step).
 */
export class AdamScalars {
  private accBeta1: number;
  private accBeta2: number;

  constructor(
    readonly learningRate: number,
    readonly beta1: number,
    readonly beta2: number,
    readonly epsilon: number,
  ) {
    this.accBeta1 = f32(beta1);
    this.accBeta2 = f32(beta2);
  }

  /** The kernel's arguments after n (beta1 … negativeRate) for the current step. */
  current(): number[] {
    return [
      f32(this.beta1),
      f32(1 - this.beta1),
      f32(this.beta2),
      f32(1 - this.beta2),
      f32(1 - this.accBeta1),
      f32(1 - this.accBeta2),
      f32(this.epsilon),
      f32(-this.learningRate),
    ];
  }

  /** Moves on to the next step. */
  advance(): void {
    this.accBeta1 = f32(this.accBeta1 * f32(this.beta1));
    this.accBeta2 = f32(this.accBeta2 * f32(this.beta2));
  }
}

export class FusedAdam extends tf.Optimizer {
  private readonly moments = new Map<string, Moments>();
  readonly scalars: AdamScalars;

  constructor(learningRate: number, beta1: number, beta2: number, epsilon: number) {
    super();
    this.scalars = new AdamScalars(learningRate, beta1, beta2, epsilon);
  }

  applyGradients(variableGradients: Parameters<tf.Optimizer['applyGradients']>[0]): void {
    const backend = tf.backend() as BackendWasm;
    const kernels = simdKernels(backend);
    const entries: [string, tf.Tensor | undefined][] = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor])
      : Object.entries(variableGradients);
    const scalars = this.scalars.current();
    for (const [name, gradient] of entries) {
      if (gradient == null) continue;
      const value = tf.engine().registeredVariables[name];
      const { m, v } = this.momentsOf(name, value);
      const updated = backend.makeOutput(value.shape, 'float32');
      kernels.adam(
        address(backend, value),
        address(backend, updated),
        address(backend, m),
        address(backend, v),
        address(backend, gradient),
        value.size,
        ...scalars,
      );
      const tensor = tf.engine().makeTensorFromTensorInfo(updated);
      value.assign(tensor);
      tensor.dispose();
    }
    this.scalars.advance();
    this.incrementIterations();
  }

  private momentsOf(name: string, value: tf.Variable): Moments {
    let moments = this.moments.get(name);
    if (!moments) {
      moments = tf.tidy(() => ({
        m: tf.zerosLike(value).variable(false),
        v: tf.zerosLike(value).variable(false),
      }));
      this.moments.set(name, moments);
    }
    return moments;
  }

  override dispose(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }

  getConfig(): tf.serialization.ConfigDict {
    const { learningRate, beta1, beta2, epsilon } = this.scalars;
    return { learningRate, beta1, beta2, epsilon };
  }
}

/** Adam as tf.train.adam computes it: fused on the wasm backend, tfjs' own elsewhere. */
export function adamOptimizer(
  learningRate: number,
  beta1: number,
  beta2: number,
  epsilon: number,
): tf.Optimizer {
  return tf.getBackend() === 'wasm'
    ? new FusedAdam(learningRate, beta1, beta2, epsilon)
    : tf.train.adam(learningRate, beta1, beta2, epsilon);
}

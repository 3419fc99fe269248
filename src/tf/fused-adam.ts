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

export class FusedAdam extends tf.Optimizer {
  private readonly moments = new Map<string, Moments>();
  /** β1^t and β2^t as tfjs keeps them: float32 scalars multiplied once per step. */
  private accBeta1: number;
  private accBeta2: number;

  constructor(
    private readonly learningRate: number,
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly epsilon: number,
  ) {
    super();
    this.accBeta1 = f32(beta1);
    this.accBeta2 = f32(beta2);
  }

  applyGradients(variableGradients: Parameters<tf.Optimizer['applyGradients']>[0]): void {
    const backend = tf.backend() as BackendWasm;
    const kernels = simdKernels(backend);
    const entries: [string, tf.Tensor | undefined][] = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor])
      : Object.entries(variableGradients);
    const oneMinusAccBeta1 = f32(1 - this.accBeta1);
    const oneMinusAccBeta2 = f32(1 - this.accBeta2);
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
        f32(this.beta1),
        f32(1 - this.beta1),
        f32(this.beta2),
        f32(1 - this.beta2),
        oneMinusAccBeta1,
        oneMinusAccBeta2,
        f32(this.epsilon),
        f32(-this.learningRate),
      );
      const tensor = tf.engine().makeTensorFromTensorInfo(updated);
      value.assign(tensor);
      tensor.dispose();
    }
    this.accBeta1 = f32(this.accBeta1 * f32(this.beta1));
    this.accBeta2 = f32(this.accBeta2 * f32(this.beta2));
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
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
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

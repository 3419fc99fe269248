// Activations and their derivatives, in float64.
import type { Matrix, Vector } from './linear-algebra';

export function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

/** σ'(v) = σ(v) (1 − σ(v)). */
export function sigmoidDerivative(v: number): number {
  const s = sigmoid(v);
  return s * (1 - s);
}

/** Softmax with the largest entry subtracted first, so large outputs cannot overflow. */
export function softmax(o: Vector): Vector {
  const largest = Math.max(...o);
  const exps = o.map((value) => Math.exp(value - largest));
  let sum = 0;
  for (const e of exps) sum += e;
  return exps.map((e) => e / sum);
}

/** dy/do of y = softmax(o): diag(y) − y yᵀ (symmetric). */
export function softmaxJacobian(y: Vector): Matrix {
  return y.map((yi, i) => y.map((yj, j) => (i === j ? yi * (1 - yi) : -yi * yj)));
}

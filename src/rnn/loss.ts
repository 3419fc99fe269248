// The losses a problem can use, on the outputs y(1..T) of either cell.
//
// - `homework`: L = −ln y(T)[0] + (y(T)[1] − 0.5)², the custom loss of the homework's Problem 5;
//   only the last output counts.
// - `cross-entropy`: L = Σ −ln y(t)[class] over the chosen (step, class) targets; steps are 1-based.
import type { Vector } from './linear-algebra';
import { zeros } from './linear-algebra';

export interface CrossEntropyTarget {
  /** 1-based step, as in the homework's y(1), y(2), y(3). */
  step: number;
  class: number;
}

export type LossSpec = { type: 'homework' } | { type: 'cross-entropy'; targets: CrossEntropyTarget[] };

export function lossValue(ys: Vector[], spec: LossSpec): number {
  if (spec.type === 'homework') {
    const y = ys[ys.length - 1];
    return -Math.log(y[0]) + (y[1] - 0.5) ** 2;
  }
  let sum = 0;
  for (const target of spec.targets) sum += -Math.log(ys[target.step - 1][target.class]);
  return sum;
}

/** dL/dy(t) for every step t (zero where the loss does not read y(t)). */
export function lossGradientWrtOutputs(ys: Vector[], spec: LossSpec): Vector[] {
  const grads = ys.map((y) => zeros(y.length));
  if (spec.type === 'homework') {
    const last = ys.length - 1;
    const y = ys[last];
    grads[last][0] = -1 / y[0];
    grads[last][1] = 2 * (y[1] - 0.5);
    return grads;
  }
  for (const target of spec.targets) {
    const t = target.step - 1;
    grads[t][target.class] -= 1 / ys[t][target.class];
  }
  return grads;
}

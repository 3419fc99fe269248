// The forward pass and loss of either cell written in tfjs ops (float32), so that tfjs autodiff
// gives a gradient computed by entirely separate code. Vectors are 1 × n rows here.
import type * as tf from '@tensorflow/tfjs';
import type { LossSpec } from './loss';
import type { BpttProblem } from './problem';

type Tf = typeof tf;
type Tensors = Record<string, tf.Tensor>;

/** b + h Wᵀ + x Uᵀ for a 1 × n row h and a 1 × m row x. */
function preActivation(T: Tf, p: Tensors, prefix: string, h: tf.Tensor, x: tf.Tensor): tf.Tensor2D {
  return T.add(
    T.add(p[`${prefix}b`], T.matMul(h as tf.Tensor2D, p[`${prefix}W`] as tf.Tensor2D, false, true)),
    T.matMul(x as tf.Tensor2D, p[`${prefix}U`] as tf.Tensor2D, false, true),
  ) as tf.Tensor2D;
}

function output(T: Tf, p: Tensors, h: tf.Tensor): tf.Tensor1D {
  return T.softmax(T.add(p.c, T.matMul(h as tf.Tensor2D, p.V as tf.Tensor2D, false, true))).reshape([
    -1,
  ]) as tf.Tensor1D;
}

function rnnOutputs(T: Tf, p: Tensors, xs: tf.Tensor2D[]): tf.Tensor1D[] {
  let h: tf.Tensor = p.h0.reshape([1, -1]);
  return xs.map((x) => {
    h = T.tanh(preActivation(T, p, '', h, x));
    return output(T, p, h);
  });
}

function lstmOutputs(T: Tf, p: Tensors, xs: tf.Tensor2D[]): tf.Tensor1D[] {
  let h: tf.Tensor = p.h0.reshape([1, -1]);
  let s: tf.Tensor = p.s0.reshape([1, -1]);
  return xs.map((x) => {
    const gate = (unit: string) => T.sigmoid(preActivation(T, p, `${unit}.`, h, x));
    s = T.add(T.mul(gate('forget'), s), T.mul(gate('input'), gate('cell')));
    h = T.mul(T.tanh(s), gate('output'));
    return output(T, p, h);
  });
}

function lossOf(T: Tf, ys: tf.Tensor1D[], loss: LossSpec): tf.Scalar {
  if (loss.type === 'homework') {
    const y = ys[ys.length - 1];
    return T.add(T.neg(T.log(y.slice(0, 1))), T.square(T.sub(y.slice(1, 1), 0.5))).reshape([]) as tf.Scalar;
  }
  const terms = loss.targets.map((target) => T.neg(T.log(ys[target.step - 1].slice(target.class, 1))));
  return T.addN(terms).reshape([]) as tf.Scalar;
}

/** The loss as a function of the problem's plain parameters, in the order of `names`. */
export function tfjsLossFunction(
  T: Tf,
  problem: BpttProblem,
  names: string[],
): (...values: tf.Tensor[]) => tf.Scalar {
  return (...values) => {
    const p: Tensors = Object.fromEntries(names.map((name, i) => [name, values[i]]));
    const xs = problem.x.map((row) => T.tensor2d([row]));
    const ys = problem.cell === 'rnn' ? rnnOutputs(T, p, xs) : lstmOutputs(T, p, xs);
    return lossOf(T, ys, problem.loss);
  };
}

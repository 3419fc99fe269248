// The vanilla RNN of the Deep Learning book, eq. 10.8, with exact back-propagation through time:
//
//   a(t) = b + W h(t−1) + U x(t)      h(t) = tanh(a(t))
//   o(t) = c + V h(t)                 y(t) = softmax(o(t))
import { softmax, softmaxJacobian } from './activations';
import type { Matrix, Vector } from './linear-algebra';
import {
  add,
  addInPlace,
  addOuter,
  diag,
  hadamard,
  matMul,
  matVec,
  vecMat,
  zeroMatrix,
  zeros,
} from './linear-algebra';
import type { LossSpec } from './loss';
import { lossGradientWrtOutputs, lossValue } from './loss';

export interface RnnParameters {
  /** hidden × hidden (recurrent). */
  W: Matrix;
  /** hidden × input. */
  U: Matrix;
  /** output × hidden. */
  V: Matrix;
  b: Vector;
  c: Vector;
  h0: Vector;
}

export interface RnnStep {
  x: Vector;
  hPrev: Vector;
  a: Vector;
  h: Vector;
  o: Vector;
  y: Vector;
}

export function rnnForward(p: RnnParameters, xs: Matrix): RnnStep[] {
  const steps: RnnStep[] = [];
  let hPrev = p.h0;
  for (const x of xs) {
    const a = add(add(p.b, matVec(p.W, hPrev)), matVec(p.U, x));
    const h = a.map(Math.tanh);
    const o = add(p.c, matVec(p.V, h));
    steps.push({ x, hPrev, a, h, o, y: softmax(o) });
    hPrev = h;
  }
  return steps;
}

export function rnnLoss(p: RnnParameters, xs: Matrix, loss: LossSpec): number {
  return lossValue(
    rnnForward(p, xs).map((step) => step.y),
    loss,
  );
}

export interface RnnBackward {
  steps: RnnStep[];
  loss: number;
  gradients: RnnParameters;
  /** dL/dy(t), per step. */
  dLdy: Vector[];
  /** dL/da(t), per step: step t's contribution to dL/db (they sum to dL/db). */
  dLda: Vector[];
}

export function rnnBackward(p: RnnParameters, xs: Matrix, loss: LossSpec): RnnBackward {
  const steps = rnnForward(p, xs);
  const ys = steps.map((step) => step.y);
  const dLdy = lossGradientWrtOutputs(ys, loss);
  const hidden = p.b.length;
  const g: RnnParameters = {
    W: zeroMatrix(hidden, hidden),
    U: zeroMatrix(hidden, p.U[0].length),
    V: zeroMatrix(p.V.length, hidden),
    b: zeros(hidden),
    c: zeros(p.c.length),
    h0: zeros(hidden),
  };
  const dLda: Vector[] = new Array(steps.length);
  // dL/dh(t) through a(t+1); nothing flows back into the last step.
  let fromNext = zeros(hidden);
  for (let t = steps.length - 1; t >= 0; t--) {
    const step = steps[t];
    const dLdo = vecMat(dLdy[t], softmaxJacobian(step.y));
    const dLdh = add(vecMat(dLdo, p.V), fromNext);
    const da = hadamard(
      dLdh,
      step.h.map((h) => 1 - h * h),
    );
    dLda[t] = da;
    addOuter(g.W, da, step.hPrev);
    addOuter(g.U, da, step.x);
    addInPlace(g.b, da);
    addOuter(g.V, dLdo, step.h);
    addInPlace(g.c, dLdo);
    fromNext = vecMat(da, p.W);
  }
  g.h0 = fromNext;
  return { steps, loss: lossValue(ys, loss), gradients: g, dLdy, dLda };
}

/** The per-step Jacobians the homework's Problem 5 part (3) prints (rows: outputs, columns: inputs). */
export interface RnnStepJacobians {
  /** dL/dy(t) (a row vector). */
  dLdy: Vector;
  /** dy(t)/dh(t) = (diag(y) − y yᵀ) V. */
  dydh: Matrix;
  /** dh(t)/db, the direct path at step t: diag(1 − h(t)²). */
  dhdb: Matrix;
  /** dh(t)/dh(t−1) = diag(1 − h(t)²) W. */
  dhdhPrev: Matrix;
}

export function rnnJacobians(p: RnnParameters, backward: RnnBackward): RnnStepJacobians[] {
  return backward.steps.map((step, t) => {
    const dhda = diag(step.h.map((h) => 1 - h * h));
    return {
      dLdy: backward.dLdy[t],
      dydh: matMul(softmaxJacobian(step.y), p.V),
      dhdb: dhda,
      dhdhPrev: matMul(dhda, p.W),
    };
  });
}

// The homework's own formula for dL/db_f (Problem 7), kept to show where it departs from the true
// gradient. It follows only the path through the forget gate, drops the output-gate factor q,
// takes tanh'(s) as 1 − h² with h the LSTM output, and treats dh(t)/dh(t−1) as diagonal:
//
//   dh(t)/db_f     = diag((1 − h(t)²) ⊙ s(t−1) ⊙ σ'(a_f(t)))
//   dh(t)/dh(t−1)  = diag((1 − h(t)²) ⊙ s(t−1) ⊙ (W_f σ'(a_f(t))))
//
// back-propagated from dL/dh(t) through o(t) = c + V h(t). The homework's loss reads only y(T);
// for losses that read several steps, each step's direct dL/dh(t) joins the backward sweep there.
import { sigmoidDerivative } from './activations';
import type { Vector } from './linear-algebra';
import { add, addInPlace, hadamard, matVec, zeros } from './linear-algebra';
import type { LstmBackward, LstmParameters } from './lstm-cell';

export interface HomeworkForgetBiasGradient {
  /** Step t's term, per step (1-based step t at index t−1). */
  perStep: Vector[];
  /** Their sum: the homework's dL/db_f. */
  total: Vector;
}

export function homeworkForgetBiasGradient(
  p: LstmParameters,
  backward: LstmBackward,
): HomeworkForgetBiasGradient {
  const { steps, dLdhDirect } = backward;
  const hidden = p.h0.length;
  const perStep = new Array<Vector>(steps.length);
  const total = zeros(hidden);
  let fromNext = zeros(hidden);
  for (let t = steps.length - 1; t >= 0; t--) {
    const step = steps[t];
    const dLdh = add(dLdhDirect[t], fromNext);
    const sigmoidPrime = step.a.forget.map(sigmoidDerivative);
    const common = hadamard(
      step.h.map((h) => 1 - h * h),
      step.sPrev,
    );
    perStep[t] = hadamard(dLdh, hadamard(common, sigmoidPrime));
    fromNext = hadamard(dLdh, hadamard(common, matVec(p.units.forget.W, sigmoidPrime)));
    addInPlace(total, perStep[t]);
  }
  return { perStep, total };
}

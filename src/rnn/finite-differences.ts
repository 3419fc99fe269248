// Central finite differences of a problem's loss, in float64: an independent check of BPTT that
// needs only the forward pass.
//
// - 2 points: (L(θ+h) − L(θ−h)) / 2h, error ≈ h² L'''/6 plus rounding ≈ ε|L|/h.
// - 4 points: (−L(θ+2h) + 8L(θ+h) − 8L(θ−h) + L(θ−2h)) / 12h, error ≈ h⁴ L⁽⁵⁾/30 plus rounding;
//   on Problem 7's dL/db_f, h = 3e-4 agrees with BPTT to 8e-9 relative, where the 2-point rule
//   at its best step (about 1e-5) reaches only 2e-7.
import type { ParameterElement } from './parameters';
import { withElementShifted } from './parameters';
import type { BpttProblem } from './problem';
import { problemLoss } from './problem';

export type StencilPoints = 2 | 4;

export function finiteDifference(
  problem: BpttProblem,
  element: ParameterElement,
  step: number,
  points: StencilPoints,
): number {
  const lossAt = (delta: number) =>
    problemLoss(problem, withElementShifted(problem.parameters, problem.ties, element, delta));
  if (points === 2) return (lossAt(step) - lossAt(-step)) / (2 * step);
  return (-lossAt(2 * step) + 8 * lossAt(step) - 8 * lossAt(-step) + lossAt(-2 * step)) / (12 * step);
}

// The exact job's outputs for the vanilla RNN: forward values, the loss, every gradient, the
// per-step contributions to dL/db and the Jacobians that Problem 5 part (3) prints.
import { withTiedGradients } from './parameters';
import type { BpttProblem } from './problem';
import { namedRnnParameters, rnnParametersOf } from './problem';
import { rnnBackward, rnnJacobians } from './rnn-cell';
import type { CellReport } from './exact-report';
import { matrixRows, perStepRows, vectorColumns } from './gradient-tables';

export function rnnReport(problem: BpttProblem): CellReport {
  const p = rnnParametersOf(problem.parameters);
  const backward = rnnBackward(p, problem.x, problem.loss);
  const jacobians = rnnJacobians(p, backward);
  const forward = backward.steps.map((step, t) => ({
    step: t + 1,
    ...vectorColumns('a', step.a),
    ...vectorColumns('h', step.h),
    ...vectorColumns('o', step.o),
    ...vectorColumns('y', step.y),
  }));
  const jacobianRows = jacobians.flatMap((j, t) => [
    ...matrixRows({ step: t + 1, jacobian: 'dL/dy' }, [j.dLdy]),
    ...matrixRows({ step: t + 1, jacobian: 'dy/dh' }, j.dydh),
    ...matrixRows({ step: t + 1, jacobian: 'dh/db' }, j.dhdb),
    ...matrixRows({ step: t + 1, jacobian: 'dh/dh_prev' }, j.dhdhPrev),
  ]);
  return {
    loss: backward.loss,
    gradients: withTiedGradients(namedRnnParameters(backward.gradients), problem.ties),
    tables: {
      'tables/forward.csv': forward,
      'tables/dL_db_per_step.csv': perStepRows(backward.dLda),
      'tables/jacobians.csv': jacobianRows,
    },
    details: {
      steps: backward.steps.map((step) => ({ a: step.a, h: step.h, o: step.o, y: step.y })),
      dLdbPerStep: backward.dLda,
      jacobians: jacobians.map((j) => ({ dLdy: j.dLdy, dydh: j.dydh, dhdb: j.dhdb, dhdhPrev: j.dhdhPrev })),
    },
  };
}

// The exact job's outputs for the LSTM: forward values, the loss, every gradient, the per-step
// contributions to each unit's dL/db, and optionally the homework's approximate dL/db_f beside
// the true one with the relative error of each printed number.
import { homeworkForgetBiasGradient } from './lstm-homework';
import { LSTM_UNITS, lstmBackward } from './lstm-cell';
import type { Vector } from './linear-algebra';
import { withTiedGradients } from './parameters';
import type { BpttProblem } from './problem';
import { lstmParametersOf, namedLstmParameters } from './problem';
import { departure } from './relative-error';
import type { CellReport } from './exact-report';
import type { Row } from './gradient-tables';

/** An approximate gradient the homework asks for, compared with the true one. */
export type Approximation = 'homework';
import { perStepRows, sumOfSteps, vectorColumns } from './gradient-tables';

function comparisonRows(step: number | 'total', homework: Vector, truth: Vector): Row[] {
  return homework.map((value, i) => ({
    step,
    element: `forget.b[${i}]`,
    homework: value,
    true: truth[i],
    relative_error: departure(value, truth[i]),
  }));
}

export function lstmReport(problem: BpttProblem, approximation: Approximation | null): CellReport {
  const p = lstmParametersOf(problem.parameters);
  const backward = lstmBackward(p, problem.x, problem.loss);
  const forward = backward.steps.map((step, t) => ({
    step: t + 1,
    ...vectorColumns('f', step.f),
    ...vectorColumns('g', step.g),
    ...vectorColumns('q', step.q),
    ...vectorColumns('z', step.z),
    ...vectorColumns('s', step.s),
    ...vectorColumns('h', step.h),
    ...vectorColumns('o', step.o),
    ...vectorColumns('y', step.y),
  }));
  const report: CellReport = {
    loss: backward.loss,
    gradients: withTiedGradients(namedLstmParameters(backward.gradients), problem.ties),
    tables: {
      'tables/forward.csv': forward,
      'tables/dL_db_per_step.csv': LSTM_UNITS.flatMap((unit) => perStepRows(backward.dLda[unit], { unit })),
    },
    details: {
      steps: backward.steps.map(({ f, g, q, z, s, h, o, y }) => ({ f, g, q, z, s, h, o, y })),
      dLdbPerStep: backward.dLda,
    },
  };
  if (approximation === 'homework') {
    const homework = homeworkForgetBiasGradient(p, backward);
    const truePerStep = backward.dLda.forget;
    const trueTotal = sumOfSteps(truePerStep);
    report.tables['tables/forget_bias_homework_vs_true.csv'] = [
      ...homework.perStep.flatMap((v, t) => comparisonRows(t + 1, v, truePerStep[t])),
      ...comparisonRows('total', homework.total, trueTotal),
    ];
    report.homework = { perStep: homework.perStep, total: homework.total };
    report.details.homeworkForgetBias = {
      perStep: homework.perStep,
      total: homework.total,
      truePerStep,
      trueTotal,
      relativeError: homework.total.map((value, i) => departure(value, trueTotal[i])),
    };
  }
  return report;
}

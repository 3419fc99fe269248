// Domain code: the BPTT kinds (src/kinds/bptt) call it; nothing here imports a kind.
//
// One back-propagation-through-time problem, cell-independent: a cell type, its parameters by
// name, the inputs x(1..T) and a loss. This is what the jobs receive as JSON, and the single
// place that maps names to each cell's parameters.
//
// Names: RNN `W U V b c h0`; LSTM `forget.W forget.U forget.b` (likewise `input.`, `output.`,
// `cell.`), `V c h0 s0`, plus ties such as `shared.b` = forget.b, input.b, output.b and cell.b moving
// together.
import type { Matrix, Vector } from './linear-algebra';
import type { LossSpec } from './loss';
import type { LstmParameters, LstmUnit } from './lstm-cell';
import { LSTM_UNITS, lstmBackward, lstmLoss } from './lstm-cell';
import type { NamedParameters, Ties } from './parameters';
import { withTiedGradients } from './parameters';
import type { RnnParameters } from './rnn-cell';
import { rnnBackward, rnnLoss } from './rnn-cell';

export type CellType = 'rnn' | 'lstm';

export interface BpttProblem {
  cell: CellType;
  parameters: NamedParameters;
  ties: Ties;
  /** x(1..T), one row per step. */
  x: Matrix;
  loss: LossSpec;
}

export function rnnParametersOf(named: NamedParameters): RnnParameters {
  return {
    W: named.W as Matrix,
    U: named.U as Matrix,
    V: named.V as Matrix,
    b: named.b as Vector,
    c: named.c as Vector,
    h0: named.h0 as Vector,
  };
}

export function namedRnnParameters(p: RnnParameters): NamedParameters {
  return { W: p.W, U: p.U, V: p.V, b: p.b, c: p.c, h0: p.h0 };
}

export function lstmParametersOf(named: NamedParameters): LstmParameters {
  const unit = (name: LstmUnit) => ({
    W: named[`${name}.W`] as Matrix,
    U: named[`${name}.U`] as Matrix,
    b: named[`${name}.b`] as Vector,
  });
  return {
    units: { forget: unit('forget'), input: unit('input'), output: unit('output'), cell: unit('cell') },
    V: named.V as Matrix,
    c: named.c as Vector,
    h0: named.h0 as Vector,
    s0: named.s0 as Vector,
  };
}

export function namedLstmParameters(p: LstmParameters): NamedParameters {
  const named: NamedParameters = {};
  for (const unit of LSTM_UNITS) {
    named[`${unit}.W`] = p.units[unit].W;
    named[`${unit}.U`] = p.units[unit].U;
    named[`${unit}.b`] = p.units[unit].b;
  }
  return { ...named, V: p.V, c: p.c, h0: p.h0, s0: p.s0 };
}

/** The loss at `parameters` (the problem's own by default), by the forward pass alone. */
export function problemLoss(problem: BpttProblem, parameters: NamedParameters = problem.parameters): number {
  return problem.cell === 'rnn'
    ? rnnLoss(rnnParametersOf(parameters), problem.x, problem.loss)
    : lstmLoss(lstmParametersOf(parameters), problem.x, problem.loss);
}

/** The loss and its exact gradient for every name (plain parameters and ties), by BPTT. */
export function problemGradients(
  problem: BpttProblem,
  parameters: NamedParameters = problem.parameters,
): { loss: number; gradients: NamedParameters } {
  if (problem.cell === 'rnn') {
    const backward = rnnBackward(rnnParametersOf(parameters), problem.x, problem.loss);
    return {
      loss: backward.loss,
      gradients: withTiedGradients(namedRnnParameters(backward.gradients), problem.ties),
    };
  }
  const backward = lstmBackward(lstmParametersOf(parameters), problem.x, problem.loss);
  return {
    loss: backward.loss,
    gradients: withTiedGradients(namedLstmParameters(backward.gradients), problem.ties),
  };
}

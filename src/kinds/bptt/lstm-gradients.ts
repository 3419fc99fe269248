// `lstm-gradients`: the homework's Problem 7 for any sizes. The LSTM cell of the DL book
// (eqs. 10.40–10.44) with a W, U, b for each of its four units (forget, input and output gates,
// and the cell input) — or one shared W, U, b, as the homework uses — the same outputs, loss and
// checks as `rnn-gradients`, and optionally the homework's approximate forget-gate-bias gradient
// side by side with the true one.
import { z } from 'zod';
import { zeros } from '../../rnn/linear-algebra';
import type { LstmUnit } from '../../rnn/lstm-cell';
import { LSTM_UNITS } from '../../rnn/lstm-cell';
import type { NamedParameters, Ties } from '../../rnn/parameters';
import { cloneValue } from '../../rnn/parameters';
import type { BpttProblem } from '../../rnn/problem';
import type { Report } from './config';
import {
  checkInputsLossUpdate,
  checksSchema,
  expectLength,
  lossSchema,
  matrixSchema,
  matrixSize,
  updateSchema,
  vectorSchema,
} from './config';
import { planGradientJobs } from './plan';
import { defineExperiment } from '../../jobs/kind';

const unitSchema = z
  .object({
    W: matrixSchema.describe('Recurrent weights, hidden × hidden.'),
    U: matrixSchema.describe('Input weights, hidden × input.'),
    b: vectorSchema.describe('Bias.'),
  })
  .strict();
type UnitConfig = z.infer<typeof unitSchema>;

const lstmConfigSchema = z
  .object({
    parameters: z
      .object({
        shared: unitSchema
          .optional()
          .describe('W, U, b of every unit not given its own (the homework gives all units the same).'),
        forget: unitSchema.optional().describe('Forget gate f(t) (eq. 10.40).'),
        input: unitSchema.optional().describe('Input gate g(t) (eq. 10.42).'),
        output: unitSchema.optional().describe('Output gate q(t) (eq. 10.44).'),
        cell: unitSchema.optional().describe('Cell input σ(b + W h(t−1) + U x(t)) (eq. 10.41).'),
        V: matrixSchema.describe('Output weights, output × hidden.'),
        c: vectorSchema.describe('Output bias.'),
        h0: vectorSchema.optional().describe('Initial hidden state h(0); zeros when absent.'),
        s0: vectorSchema.optional().describe('Initial internal state s(0); zeros when absent.'),
      })
      .strict(),
    x: matrixSchema.describe('Inputs x(1..T), one row per step.'),
    loss: lossSchema,
    approximation: z
      .literal('homework')
      .optional()
      .describe("Also report the homework's approximate dL/db_f beside the true gradient."),
    update: updateSchema
      .optional()
      .describe('One gradient-descent step on these parameters, then the new loss.'),
    checks: checksSchema.prefault({}),
  })
  .strict()
  .superRefine((config, ctx) =>
    checkLstmSizes(config, (path, message) => ctx.addIssue({ code: 'custom', path, message })),
  );
export type LstmGradientsConfig = z.infer<typeof lstmConfigSchema>;

/** Which config block each unit reads: its own, or `shared`. */
function unitSources(config: LstmGradientsConfig): Record<LstmUnit, 'shared' | LstmUnit | null> {
  const p = config.parameters;
  const source = (unit: LstmUnit) => (p[unit] ? unit : p.shared ? 'shared' : null);
  return { forget: source('forget'), input: source('input'), output: source('output'), cell: source('cell') };
}

function ties(config: LstmGradientsConfig): Ties {
  const sources = unitSources(config);
  const sharing = LSTM_UNITS.filter((unit) => sources[unit] === 'shared');
  if (sharing.length === 0) return {};
  return Object.fromEntries(
    ['W', 'U', 'b'].map((name) => [`shared.${name}`, sharing.map((unit) => `${unit}.${name}`)]),
  );
}

function lstmParameterNames(config: LstmGradientsConfig): string[] {
  return [
    ...LSTM_UNITS.flatMap((unit) => ['W', 'U', 'b'].map((name) => `${unit}.${name}`)),
    'V',
    'c',
    'h0',
    's0',
    ...Object.keys(ties(config)),
  ];
}

function checkLstmSizes(config: LstmGradientsConfig, report: Report): void {
  const p = config.parameters;
  const sources = unitSources(config);
  for (const unit of LSTM_UNITS) {
    if (!sources[unit])
      report(
        ['parameters', unit],
        `missing: give ${unit} its own {W, U, b}, or give a shared {W, U, b} for the units without one`,
      );
  }
  if (p.shared && !Object.values(sources).includes('shared'))
    report(['parameters', 'shared'], 'unused: every unit (forget, input, output, cell) has its own W, U, b');
  const blocks = (['shared', ...LSTM_UNITS] as const).filter((name) => p[name]);
  if (blocks.length === 0) return;
  const first = blocks[0];
  const w = matrixSize(report, ['parameters', first, 'W'], p[first]!.W);
  const hidden = w.rows;
  if (w.cols !== hidden)
    report(['parameters', first, 'W'], `expected a square hidden × hidden matrix, got ${w.rows}×${w.cols}`);
  const inputs = p[first]!.U[0].length;
  const byW = `one per hidden unit, as parameters.${first}.W is ${hidden}×${hidden}`;
  for (const name of blocks) {
    const block = p[name] as UnitConfig;
    const bw = matrixSize(report, ['parameters', name, 'W'], block.W);
    if (name !== first && (bw.rows !== hidden || bw.cols !== hidden))
      report(
        ['parameters', name, 'W'],
        `expected ${hidden}×${hidden} like parameters.${first}.W, got ${bw.rows}×${bw.cols}`,
      );
    const u = matrixSize(report, ['parameters', name, 'U'], block.U);
    if (u.rows !== hidden)
      report(['parameters', name, 'U'], `expected ${hidden} rows (${byW}), got ${u.rows}`);
    if (u.cols !== inputs)
      report(
        ['parameters', name, 'U'],
        `expected ${inputs} columns (inputs) like parameters.${first}.U, got ${u.cols}`,
      );
    expectLength(report, ['parameters', name, 'b'], block.b.length, hidden, byW);
  }
  const v = matrixSize(report, ['parameters', 'V'], p.V);
  if (v.cols !== hidden)
    report(['parameters', 'V'], `expected ${hidden} columns (${byW}), got ${v.rows}×${v.cols}`);
  expectLength(report, ['parameters', 'c'], p.c.length, v.rows, `one per output, as V has ${v.rows} rows`);
  if (p.h0) expectLength(report, ['parameters', 'h0'], p.h0.length, hidden, byW);
  if (p.s0) expectLength(report, ['parameters', 's0'], p.s0.length, hidden, byW);
  const allTies = ties(config);
  const membersOf = (name: string) => allTies[name] ?? [name];
  checkInputsLossUpdate(
    report,
    config,
    { inputs, inputsWhy: `one per input, as parameters.${first}.U has ${inputs} columns`, outputs: v.rows },
    lstmParameterNames(config),
    membersOf,
  );
}

export function lstmProblemOf(config: LstmGradientsConfig): BpttProblem {
  const p = config.parameters;
  const sources = unitSources(config);
  const hidden = p.V[0].length;
  const parameters: NamedParameters = {};
  for (const unit of LSTM_UNITS) {
    // Copies, so that moving one unit's parameters never moves another's.
    const block = p[sources[unit]!] as UnitConfig;
    parameters[`${unit}.W`] = cloneValue(block.W);
    parameters[`${unit}.U`] = cloneValue(block.U);
    parameters[`${unit}.b`] = cloneValue(block.b);
  }
  Object.assign(parameters, { V: p.V, c: p.c, h0: p.h0 ?? zeros(hidden), s0: p.s0 ?? zeros(hidden) });
  return { cell: 'lstm', parameters, ties: ties(config), x: config.x, loss: config.loss };
}

export const lstmGradientsExperiment = defineExperiment<LstmGradientsConfig>({
  kind: 'lstm-gradients',
  description:
    "The same for an LSTM, beside the homework's approximation of the forget-gate gradient (Problem 7).",
  schema: lstmConfigSchema,
  expand(config, ctx) {
    return planGradientJobs(
      {
        problem: lstmProblemOf(config),
        update: config.update,
        approximation: config.approximation,
        checks: config.checks,
      },
      ctx,
    );
  },
});

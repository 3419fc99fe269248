// `rnn-gradients`: the homework's Problem 5 for any sizes. A vanilla RNN (DL book eq. 10.8) on
// inputs x(1..T), its loss, the exact BPTT gradient of every parameter with the per-step
// contributions to dL/db and the Jacobians of Problem 5 part (3), an optional gradient-descent
// step, and independent checks by finite differences and tfjs autodiff.
import { z } from 'zod';
import { zeros } from '../../rnn/linear-algebra';
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

const rnnConfigSchema = z
  .object({
    parameters: z
      .object({
        W: matrixSchema.describe('Recurrent weights, hidden × hidden.'),
        U: matrixSchema.describe('Input weights, hidden × input.'),
        V: matrixSchema.describe('Output weights, output × hidden.'),
        b: vectorSchema.describe('Hidden bias.'),
        c: vectorSchema.describe('Output bias.'),
        h0: vectorSchema.optional().describe('Initial hidden state h(0); zeros when absent.'),
      })
      .strict()
      .describe('a(t) = b + W h(t−1) + U x(t), h(t) = tanh(a(t)), o(t) = c + V h(t), y(t) = softmax(o(t)).'),
    x: matrixSchema.describe('Inputs x(1..T), one row per step.'),
    loss: lossSchema,
    update: updateSchema
      .optional()
      .describe('One gradient-descent step on these parameters, then the new loss.'),
    checks: checksSchema.prefault({}),
  })
  .strict()
  .superRefine((config, ctx) =>
    checkRnnSizes(config, (path, message) => ctx.addIssue({ code: 'custom', path, message })),
  );
export type RnnGradientsConfig = z.infer<typeof rnnConfigSchema>;

export const RNN_PARAMETER_NAMES = ['W', 'U', 'V', 'b', 'c', 'h0'];

function checkRnnSizes(config: RnnGradientsConfig, report: Report): void {
  const { W, U, V, b, c, h0 } = config.parameters;
  const w = matrixSize(report, ['parameters', 'W'], W);
  const hidden = w.rows;
  if (w.cols !== hidden)
    report(['parameters', 'W'], `expected a square hidden × hidden matrix, got ${w.rows}×${w.cols}`);
  const byW = `one per hidden unit, as W is ${hidden}×${hidden}`;
  const u = matrixSize(report, ['parameters', 'U'], U);
  if (u.rows !== hidden) report(['parameters', 'U'], `expected ${hidden} rows (${byW}), got ${u.rows}`);
  const v = matrixSize(report, ['parameters', 'V'], V);
  if (v.cols !== hidden)
    report(['parameters', 'V'], `expected ${hidden} columns (${byW}), got ${v.rows}×${v.cols}`);
  expectLength(report, ['parameters', 'b'], b.length, hidden, byW);
  expectLength(report, ['parameters', 'c'], c.length, v.rows, `one per output, as V has ${v.rows} rows`);
  if (h0) expectLength(report, ['parameters', 'h0'], h0.length, hidden, byW);
  const single = (name: string) => [name];
  checkInputsLossUpdate(
    report,
    config,
    { inputs: u.cols, inputsWhy: `one per input, as U has ${u.cols} columns`, outputs: v.rows },
    RNN_PARAMETER_NAMES,
    single,
  );
}

export function rnnProblemOf(config: RnnGradientsConfig): BpttProblem {
  const { W, U, V, b, c, h0 } = config.parameters;
  return {
    cell: 'rnn',
    parameters: { W, U, V, b, c, h0: h0 ?? zeros(W.length) },
    ties: {},
    x: config.x,
    loss: config.loss,
  };
}

export const rnnGradientsExperiment = defineExperiment<RnnGradientsConfig>({
  kind: 'rnn-gradients',
  description:
    'Exact back-propagation through time in a small RNN, checked by finite differences and tfjs (Problem 5).',
  schema: rnnConfigSchema,
  expand(config, ctx) {
    return planGradientJobs(
      { problem: rnnProblemOf(config), update: config.update, checks: config.checks },
      ctx,
    );
  },
});

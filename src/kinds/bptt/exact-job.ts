// `bptt-exact`: the float64 computation of one gradient experiment — forward pass, loss, the exact
// BPTT gradient of every parameter, per-step terms, an optional gradient-descent step and the new
// loss — written as CSV tables and one tables/gradients.json with everything.
import path from 'node:path';
import { writeJsonAtomic } from '../../files';
import { gradientDescentStep } from '../../rnn/gradient-descent';
import type { NamedParameters } from '../../rnn/parameters';
import { elementCount, elementLabel, getElement, membersOf } from '../../rnn/parameters';
import { problemLoss } from '../../rnn/problem';
import { writeRecordsCsv } from '../../render/csv';
import { defineJob } from '../../jobs/kind';
import { lstmReport } from '../../rnn/exact-lstm';
import { rnnReport } from '../../rnn/exact-rnn';
import type { ExactParams } from './jobs';
import type { Row } from '../../rnn/gradient-tables';
import { parameterRows } from '../../rnn/gradient-tables';

export interface ExactResult {
  cell: string;
  loss: number;
  lossAfterUpdate: number | null;
  gradients: NamedParameters;
  homework: { perStep: number[][]; total: number[] } | null;
}

function writeTable(dir: string, file: string, rows: Row[]): void {
  // Columns from the union of keys, in first-seen order (rows of one table may differ, e.g. `total`).
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  writeRecordsCsv(path.join(dir, file), rows, columns);
}

export const bpttExactJob = defineJob<ExactParams, ExactResult>({
  kind: 'bptt-exact',
  async run(params, ctx) {
    const { problem, update, approximation } = params;
    const report = problem.cell === 'rnn' ? rnnReport(problem) : lstmReport(problem, approximation);
    const tables: Record<string, Row[]> = {
      ...report.tables,
      'tables/loss.csv': [{ quantity: 'loss', value: report.loss }],
      'tables/gradients.csv': parameterRows(report.gradients, 'gradient'),
    };
    let updateDetails: Record<string, unknown> | null = null;
    let lossAfterUpdate: number | null = null;
    if (update) {
      const after = gradientDescentStep(
        problem.parameters,
        problem.ties,
        report.gradients,
        update.parameters,
        update.learningRate,
      );
      lossAfterUpdate = problemLoss(problem, after);
      const rows = update.parameters.flatMap((name) =>
        membersOf(name, problem.parameters, problem.ties).flatMap((member) => {
          const before = problem.parameters[member];
          return Array.from({ length: elementCount(before) }, (_, i) => ({
            parameter: member,
            element: elementLabel(member, before, i),
            before: getElement(before, i),
            gradient_of: name,
            gradient: getElement(report.gradients[name], i),
            after: getElement(after[member], i),
          }));
        }),
      );
      tables['tables/update.csv'] = rows;
      tables['tables/loss.csv'].push({ quantity: 'loss after update', value: lossAfterUpdate });
      updateDetails = { ...update, rows, lossAfterUpdate };
    }
    for (const [file, rows] of Object.entries(tables)) writeTable(ctx.dir, file, rows);
    writeJsonAtomic(path.join(ctx.dir, 'tables/gradients.json'), {
      cell: problem.cell,
      problem,
      loss: report.loss,
      gradients: report.gradients,
      ...report.details,
      update: updateDetails,
    });
    const result: ExactResult = {
      cell: problem.cell,
      loss: report.loss,
      lossAfterUpdate,
      gradients: report.gradients,
      homework: report.homework ?? null,
    };
    return result;
  },
});

// The models of a train experiment as the claims compare them: one group per sweep point, each
// with its models by seed, and reading a finished train job's test accuracy and parameter count.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { ExpandContext, NeededJob } from '../../jobs/kind';
import { trainJob } from '../train';

export interface TrainedGroup {
  /** The sweep point's label (`layers=2`), or '' for an experiment without a sweep. */
  point: string;
  /** Train job keys by seed, in seed order. */
  models: { seed: number; key: string }[];
}

/** The models of train experiment `name`, grouped by sweep point, seeds in order. */
export function trainedGroups(ctx: ExpandContext, name: string): TrainedGroup[] {
  const groups = new Map<string, TrainedGroup>();
  for (const model of ctx.modelsOf(name)) {
    const point = model.label
      .split(',')
      .filter((part) => part !== `seed=${model.seed}`)
      .join(',');
    const group = groups.get(point) ?? { point, models: [] };
    group.models.push({ seed: model.seed, key: model.key });
    groups.set(point, group);
  }
  for (const group of groups.values()) group.models.sort((a, b) => a.seed - b.seed);
  return [...groups.values()];
}

/** The seeds of a group, as a string to compare groups by. */
export const seedList = (group: TrainedGroup): string => group.models.map((m) => m.seed).join(', ');

/** A finished train job's test accuracy. */
export function testAccuracyOf(job: NeededJob): number {
  return trainJob.resultOf(job).testAccuracy;
}

interface SummaryRow {
  type: string;
  outputShape: string;
  params: string;
}

function modelSummary(job: NeededJob): SummaryRow[] {
  const file = path.join(job.dir, 'tables/model_summary.csv');
  try {
    return parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as SummaryRow[];
  } catch (error) {
    throw new Error(`${file}: cannot read the model summary (${(error as Error).message})`);
  }
}

/** A finished train job's parameter count: the sum of its model_summary.csv's `params` column. */
export function parameterCount(job: NeededJob): number {
  return modelSummary(job).reduce((sum, row) => sum + Number(row.params), 0);
}

/** The last number of an output shape: `(None, 16)` → `16`. */
const width = (outputShape: string) => /(\d+)\)$/.exec(outputShape)?.[1] ?? '?';

/** The widths of a finished train job's dense layers, their input first: `784-16-10` (from its model summary). */
export function denseWidths(job: NeededJob): string {
  const rows = modelSummary(job);
  const first = rows.findIndex((r) => r.type === 'Dense');
  const dense = rows.filter((r) => r.type === 'Dense').map((r) => width(r.outputShape));
  return [first > 0 ? width(rows[first - 1].outputShape) : '?', ...dense].join('-');
}

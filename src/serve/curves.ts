// Training curves for the live page: each training's loss and accuracy per epoch, from its epoch
// reports (progress.jsonl) while it runs, and from its history.csv once it is done.
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { JobProgress } from '../jobs/kind';
import { reportedFraction } from '../runner/eta-tracker';
import type { LiveRun } from '../runner/live-run';
import { attemptKey } from '../runner/progress-file';
import type { RunFolder } from '../runner/run-folder';

export interface CurvePoint {
  epoch: number;
  loss?: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
}

export interface Curve {
  key: string;
  running: boolean;
  /** Epochs planned, when the job said (a running training's reports do). */
  epochs?: number;
  points: CurvePoint[];
}

/** Most curves on the page: a sweep of many trainings shows the running ones and the first done. */
const MOST_CURVES = 24;
const METRICS = ['loss', 'accuracy', 'valLoss', 'valAccuracy'] as const;

function point(values: Record<string, unknown>): CurvePoint | undefined {
  const epoch = Number(values.epoch);
  if (!Number.isFinite(epoch)) return undefined;
  const found: CurvePoint = { epoch };
  for (const metric of METRICS) {
    const value = values[metric] === null || values[metric] === '' ? Number.NaN : Number(values[metric]);
    if (Number.isFinite(value)) found[metric] = value;
  }
  return found;
}

function fromReports(reports: { fields: JobProgress['fields'] }[]): CurvePoint[] {
  return reports
    .filter((r) => reportedFraction(r.fields) !== undefined)
    .map((r) => point(r.fields))
    .filter((p) => p !== undefined);
}

/** The curves of a live run; a finished training's history is read once and kept. */
export class CurveReader {
  private readonly histories = new Map<string, CurvePoint[] | null>();

  constructor(private readonly folder: RunFolder) {}

  private history(id: string): CurvePoint[] | null {
    if (!this.histories.has(id)) {
      const file = `${this.folder.jobDir(id)}/tables/history.csv`;
      let points: CurvePoint[] | null = null;
      if (existsSync(file)) {
        const rows = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<
          string,
          string
        >[];
        points = rows.map(point).filter((p) => p !== undefined);
      }
      this.histories.set(id, points);
    }
    return this.histories.get(id)!;
  }

  curves(live: LiveRun): Curve[] {
    const running: Curve[] = live.running.flatMap((job) => {
      const reports = live.attempts.get(attemptKey(job.id, job.attempt))?.reports ?? [];
      const points = fromReports(reports);
      const epochs = Number(reports.at(-1)?.fields.epochs);
      if (job.kind !== 'train' && points.length === 0) return [];
      return [{ key: job.key, running: true, ...(Number.isFinite(epochs) ? { epochs } : {}), points }];
    });
    const done: Curve[] = [];
    for (const job of live.plan.jobs) {
      if (running.length + done.length >= MOST_CURVES) break;
      if (job.kind !== 'train' || live.states.get(job.id)?.state !== 'done') continue;
      const points = this.history(job.id);
      if (points) done.push({ key: job.key, running: false, epochs: points.length, points });
    }
    return [...running, ...done].slice(0, MOST_CURVES);
  }
}

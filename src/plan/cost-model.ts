// Seconds of CPU a planned job will take. Each kind plans its jobs with a cost in its own units of
// work (a training: epochs × images / 1000; an occlusion chunk: positions × images × 6e-5; ...);
// a calibration measured on this kind of machine turns units into seconds per kind:
// seconds = perJob + perUnit × units. `npm run bench -- calibrate` measures it from fresh runs of
// the configs it names and writes cost-calibration.json. A kind the calibration does not know
// counts one second per unit, as the kinds' units were first meant.
import calibration from './cost-calibration.json';

export interface KindCalibration {
  /** Seconds every job of the kind takes whatever its size (loading its model, writing files). */
  perJob: number;
  /** Seconds per unit of the kind's planned cost. */
  perUnit: number;
  /** Jobs the fit saw. */
  jobs: number;
}

export interface CostCalibration {
  /** How and where it was measured, for the reader of the file. */
  measured: string;
  kinds: Record<string, KindCalibration>;
}

const UNCALIBRATED: KindCalibration = { perJob: 0, perUnit: 1, jobs: 0 };

/**
 * The run's own CPU besides its jobs' (node and worker start, planning, hashing, publishing, the
 * report), calibrated like a kind whose units are the jobs a run runs.
 */
export const RUN_OVERHEAD = '(run)';
const NO_OVERHEAD: KindCalibration = { perJob: 0, perUnit: 0, jobs: 0 };

/** Estimated CPU seconds of a job of `kind` planned at `units`. */
export function estimatedSeconds(
  kind: string,
  units: number,
  table: CostCalibration = calibration as CostCalibration,
): number {
  const { perJob, perUnit } = table.kinds[kind] ?? (kind === RUN_OVERHEAD ? NO_OVERHEAD : UNCALIBRATED);
  return perJob + perUnit * units;
}

/** Estimated CPU seconds of a run of these jobs: theirs and the run's own. */
export function estimatedRunSeconds(
  jobs: readonly { kind: string; units: number }[],
  table: CostCalibration = calibration as CostCalibration,
): number {
  if (jobs.length === 0) return 0;
  const own = estimatedSeconds(RUN_OVERHEAD, jobs.length, table);
  return jobs.reduce((sum, job) => sum + estimatedSeconds(job.kind, job.units, table), own);
}

/** One measured job: its kind, planned units and the seconds it took. */
export interface MeasuredJob {
  kind: string;
  units: number;
  seconds: number;
}

/**
 * Per kind, perJob and perUnit by least squares over the measured jobs; where that gives a
 * negative term (too few jobs, or sizes that barely vary), the term is dropped and the other fit
 * alone, so that the kind's total is kept.
 */
export function fitCalibration(jobs: MeasuredJob[], measured: string): CostCalibration {
  const byKind = new Map<string, MeasuredJob[]>();
  for (const job of jobs) byKind.set(job.kind, [...(byKind.get(job.kind) ?? []), job]);
  const kinds: Record<string, KindCalibration> = {};
  for (const [kind, list] of [...byKind].sort(([a], [b]) => a.localeCompare(b)))
    kinds[kind] = { ...rounded(fitKind(list)), jobs: list.length };
  return { measured, kinds };
}

/** Four significant digits: the calibration's noise is larger, and the file stays readable. */
function rounded({ perJob, perUnit }: Omit<KindCalibration, 'jobs'>): Omit<KindCalibration, 'jobs'> {
  return { perJob: Number(perJob.toPrecision(4)), perUnit: Number(perUnit.toPrecision(4)) };
}

function fitKind(jobs: MeasuredJob[]): Omit<KindCalibration, 'jobs'> {
  const n = jobs.length;
  const sx = jobs.reduce((s, j) => s + j.units, 0);
  const sy = jobs.reduce((s, j) => s + j.seconds, 0);
  const sxx = jobs.reduce((s, j) => s + j.units * j.units, 0);
  const sxy = jobs.reduce((s, j) => s + j.units * j.seconds, 0);
  const determinant = n * sxx - sx * sx;
  if (determinant > 1e-12 * Math.max(1, sxx * n)) {
    const perUnit = (n * sxy - sx * sy) / determinant;
    const perJob = (sy - perUnit * sx) / n;
    if (perUnit >= 0 && perJob >= 0) return { perJob, perUnit };
    // Bigger jobs measured faster: size does not explain the times, their mean does.
    if (perUnit < 0) return { perJob: sy / n, perUnit: 0 };
  }
  // One size only, or a negative fixed part: the ratio of totals (through the origin).
  return sx > 0 ? { perJob: 0, perUnit: sy / sx } : { perJob: sy / n, perUnit: 0 };
}

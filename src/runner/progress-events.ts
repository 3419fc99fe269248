// What a run tells its progress display (progress.ts, progress-bars.ts) and its progress file
// (progress-file.ts) as its jobs go.
import type { JobProgress } from '../jobs/kind';
import type { PlanJob } from '../plan/build-plan';
import type { RunPlan } from './eta-tracker';

export interface KindTotals {
  kind: string;
  total: number;
  /** Already done or failed before this run started. */
  done: number;
  failed: number;
}

export interface Progress {
  /** `run`: the jobs and workers of the run, for an ETA. */
  start(totals: KindTotals[], run?: RunPlan): void;
  /** The job's attempt was handed to the pool. */
  started(job: PlanJob): void;
  /** A thread began the job's attempt (until then it waited in the pool's queue). */
  begun(job: PlanJob, attempt: number): void;
  /** A running job reports how it is getting on. */
  running(job: PlanJob, attempt: number, update: JobProgress): void;
  finished(job: PlanJob, ms: number): void;
  failed(job: PlanJob, error: string, attempt: number, final: boolean): void;
  blocked(job: PlanJob, by: PlanJob): void;
  /** A message that must not break the display. */
  log(line: string): void;
  stop(): void;
}

// The run's own bookkeeping for its ETA (progress bars, log heartbeats): each job's state as the
// scheduler reports it, turned into what estimateEta (eta.ts) reads.
import type { JobProgress } from '../jobs/kind';
import type { PlanJob } from '../plan/build-plan';
import { type Eta, type EtaJob, estimateEta } from './eta';

/** The jobs a run covers and which of them it runs. */
export interface RunPlan {
  jobs: readonly PlanJob[];
  /** Ids of the jobs this run runs (the rest were done before, failed earlier or are blocked). */
  toRun: ReadonlySet<string>;
  workers: number;
}

/** The share of its work a running job reports done: a training's `epoch` of `epochs`. */
export function reportedFraction(fields: JobProgress['fields']): number | undefined {
  const { epoch, epochs } = fields;
  return typeof epoch === 'number' && typeof epochs === 'number' && epochs > 0 ? epoch / epochs : undefined;
}

export class EtaTracker {
  private readonly jobs: EtaJob[];
  private readonly byId = new Map<string, EtaJob>();
  private readonly begunAt = new Map<string, number>();

  constructor(private readonly plan: RunPlan) {
    this.jobs = plan.jobs.map((job) => ({
      id: job.id,
      needs: Object.values(job.needs).map((need) => need.id),
      cost: job.cost,
      state: plan.toRun.has(job.id) ? 'waiting' : 'ended',
    }));
    for (const job of this.jobs) this.byId.set(job.id, job);
  }

  private job(job: PlanJob): EtaJob | undefined {
    return this.byId.get(job.id);
  }
  begun(job: PlanJob): void {
    const entry = this.job(job);
    if (!entry) return;
    entry.state = 'running';
    entry.fraction = undefined;
    this.begunAt.set(job.id, Date.now());
  }
  report(job: PlanJob, update: JobProgress): void {
    const entry = this.job(job);
    if (entry) entry.fraction = reportedFraction(update.fields);
  }
  finished(job: PlanJob, ms: number): void {
    const entry = this.job(job);
    if (entry) Object.assign(entry, { state: 'finished', seconds: ms / 1000, fraction: undefined });
  }
  /** Failed for good, or blocked: nothing left to do. A retry waits again. */
  failed(job: PlanJob, final: boolean): void {
    const entry = this.job(job);
    if (entry) Object.assign(entry, { state: final ? 'ended' : 'waiting', fraction: undefined });
  }
  estimate(now = Date.now()): Eta {
    for (const job of this.jobs)
      if (job.state === 'running') job.seconds = (now - (this.begunAt.get(job.id) ?? now)) / 1000;
    return estimateEta(this.jobs, this.plan.workers);
  }
}

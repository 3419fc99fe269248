// How long a run has left: the one estimate behind the progress bars, `status` and `serve`.
// A job's `cost` in the plan is ≈ seconds on one core (each kind's own formula, see the kinds).
// The run's measured pace rescales it: the seconds its finished jobs took per unit of their cost,
// starting from the plan's 1 : 1 and moving toward what this machine shows as jobs finish. A
// running job that reports how far it is (a training's epochs) is timed by its own pace. The
// estimate is the larger of the work left shared among the workers and the longest chain of
// jobs that must run one after another.

export interface EtaJob {
  id: string;
  /** Ids of the jobs it needs (they come before it in the plan). */
  needs: string[];
  /** The plan's estimate, ≈ seconds on one core. */
  cost: number;
  /** waiting: this run will run it; ended: done before this run, failed or blocked (nothing left). */
  state: 'waiting' | 'running' | 'finished' | 'ended';
  /** running: seconds since its thread began it; finished: the seconds it took. */
  seconds?: number;
  /** running: the share it reports done (epoch 3 of 12 → 0.25). */
  fraction?: number;
}

export interface Eta {
  seconds: number;
  /** Some job finished in this run: the pace is measured, not only the plan's. */
  measured: boolean;
  /** Only running jobs are left and one has outrun its estimate: the run takes at least `seconds`. */
  overdue: boolean;
  /** Seconds of this machine per unit of the plan's cost. */
  secondsPerCost: number;
}

/** How much the plan's own 1 : 1 weighs against measured jobs, in units of cost (one small job). */
const PLAN_WEIGHT = 5;

export function estimateEta(jobs: readonly EtaJob[], workers: number): Eta {
  let seconds = 0;
  let cost = 0;
  for (const job of jobs)
    if (job.state === 'finished' && job.seconds !== undefined) {
      seconds += job.seconds;
      cost += job.cost;
    }
  const secondsPerCost = (PLAN_WEIGHT + seconds) / (PLAN_WEIGHT + cost);
  let work = 0;
  let longest = 0;
  let pastEstimate = false;
  let waiting = 0;
  // A job's chain: its own time left after the longest chain of the jobs it needs (listed before it).
  const chain = new Map<string, number>();
  for (const job of jobs) {
    const left = secondsLeft(job, secondsPerCost);
    if (job.state === 'running' && left === 0) pastEstimate = true;
    if (job.state === 'waiting') waiting++;
    work += left;
    const after = Math.max(0, ...job.needs.map((id) => chain.get(id) ?? 0));
    chain.set(job.id, after + left);
    longest = Math.max(longest, after + left);
  }
  return {
    seconds: Math.max(work / Math.max(workers, 1), longest),
    measured: cost > 0,
    // While jobs wait, a job past its estimate is one among many; at the end, the run waits on it.
    overdue: pastEstimate && waiting === 0,
    secondsPerCost,
  };
}

function secondsLeft(job: EtaJob, secondsPerCost: number): number {
  if (job.state === 'waiting') return job.cost * secondsPerCost;
  if (job.state !== 'running') return 0;
  const elapsed = job.seconds ?? 0;
  if (job.fraction !== undefined && job.fraction > 0 && job.fraction < 1)
    return (elapsed * (1 - job.fraction)) / job.fraction;
  return Math.max(job.cost * secondsPerCost - elapsed, 0);
}

/** "ETA ≈ 4 min (from the plan's costs)", "ETA 3 min 20 s", "ETA > 20 s (…)", "ETA unknown: …". */
export function formatEta(eta: Eta, format: (seconds: number) => string): string {
  if (eta.overdue && eta.seconds < 1) return 'ETA unknown: the jobs left run past their estimates';
  if (eta.overdue) return `ETA > ${format(eta.seconds)} (a job runs past its estimate)`;
  return eta.measured ? `ETA ${format(eta.seconds)}` : `ETA ≈ ${format(eta.seconds)} (from the plan's costs)`;
}

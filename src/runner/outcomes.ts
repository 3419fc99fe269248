// A job's state, decided in one place: before a run (from the run folder and the journal), for
// `status` and `--explain` (which also know of running jobs), for `merge`; and the counts of
// states per job kind that the log, the summary, `status` and `--dry-run` print.
import { existsSync } from 'node:fs';
import type { Plan, PlanJob } from '../plan/build-plan';
import type { JobEvent } from './journal';
import type { RunFolder } from './run-folder';
import { damageOf } from './verify';

export type JobState = 'done' | 'failed' | 'blocked' | 'pending';

export const JOB_STATES: readonly JobState[] = ['done', 'failed', 'blocked', 'pending'];

export interface JobOutcome {
  state: JobState;
  /** Attempts made in this run. */
  attempts: number;
  /** The job had its result before this run started. */
  skipped?: boolean;
  error?: string;
  /** For failed jobs: the environment caused it (see transient.ts); the next plain run retries it. */
  transient?: boolean;
  /** For blocked jobs: the failed job that blocks it. */
  blockedBy?: string;
  /**
   * A job whose result was in place but runs again: `reason` says what is wrong in the folder of
   * job `root` (this job's, or one it needs directly or not).
   */
  rerun?: { reason: string; root: string };
}

/** Job id → outcome, for every job of a plan. */
export type Outcomes = Map<string, JobOutcome>;

export interface RerunFlags {
  /** --force: every job runs again, even one with a result. */
  force?: boolean;
  /** --rerun-failed: jobs an earlier run gave up on run again. */
  rerunFailed?: boolean;
  /** Re-hash a finished job's artifacts before reusing it (a run does; `status` checks sizes only). */
  verifyHashes?: boolean;
}

/**
 * What the run folder says of a job whatever its needs: `done` (its result is in place and
 * intact) or `failed` (an earlier run gave up on it, and the flags do not ask to run it again);
 * otherwise undefined (it would run), with `damage` when a result is there but cannot be reused.
 */
export function recordedJob(
  folder: RunFolder,
  job: { id: string; key: string },
  last: JobEvent | undefined,
  flags: RerunFlags = {},
): { state?: 'done' | 'failed'; damage?: string } {
  if (flags.force) return {};
  if (existsSync(folder.resultFile(job.id))) {
    const damage =
      last?.event === 'damaged' ? last.reason : damageOf(folder, job, { hashes: flags.verifyHashes });
    return damage ? { damage } : { state: 'done' };
  }
  // A transient failure is retried by any run; a deterministic one only with --rerun-failed.
  if (!flags.rerunFailed && last?.event === 'failed' && last.final && !last.transient)
    return { state: 'failed' };
  return {};
}

export function recordedState(
  folder: RunFolder,
  job: { id: string; key: string },
  last: JobEvent | undefined,
  flags: RerunFlags = {},
): 'done' | 'failed' | undefined {
  return recordedJob(folder, job, last, flags).state;
}

/** Decides what is done, failed or blocked before anything runs. */
export function initialOutcomes(
  options: { plan: Plan; folder: RunFolder; previous: Map<string, JobEvent> } & RerunFlags,
): Outcomes {
  const outcomes: Outcomes = new Map();
  for (const job of options.plan.jobs) {
    const last = options.previous.get(job.id);
    const { state, damage } = recordedJob(options.folder, job, last, options);
    if (state === 'done') outcomes.set(job.id, { state, attempts: 0, skipped: true });
    else if (state === 'failed')
      outcomes.set(job.id, { state, attempts: 0, error: (last as { error: string }).error });
    else
      outcomes.set(job.id, {
        state: 'pending',
        attempts: 0,
        ...(damage ? { rerun: { reason: damage, root: job.key } } : {}),
      });
  }
  // A result reused beside a damaged one it was made from runs again too (needs come first in the plan).
  for (const job of options.plan.jobs) {
    const outcome = outcomes.get(job.id)!;
    if (outcome.state !== 'done') continue;
    // A need outside the plan (a stage's input's own needs) is another stage's business.
    const cause = Object.values(job.needs)
      .map((need) => outcomes.get(need.id)?.rerun)
      .find(Boolean);
    if (cause) outcomes.set(job.id, { state: 'pending', attempts: 0, rerun: cause });
  }
  // Jobs come after their needs in the plan, so one pass spreads blocking downstream.
  for (const job of options.plan.jobs) {
    if (outcomes.get(job.id)!.state !== 'pending') continue;
    for (const need of Object.values(job.needs)) {
      const needed = outcomes.get(need.id);
      if (!needed) continue;
      if (needed.state === 'failed' || needed.state === 'blocked') {
        outcomes.set(job.id, { state: 'blocked', attempts: 0, blockedBy: needed.blockedBy ?? need.id });
        break;
      }
    }
  }
  return outcomes;
}

/** How many jobs are in each state, and in all. */
export type Counts<S extends string = JobState> = Record<S, number> & { total: number };

export function emptyCounts<S extends string = JobState>(
  states: readonly S[] = JOB_STATES as readonly S[],
): Counts<S> {
  const counts = { total: 0 } as Counts<S>;
  for (const state of states) (counts as Record<S, number>)[state] = 0;
  return counts;
}

/** Counts of states over all jobs and per job kind (kinds in plan order). */
export function countStates<S extends string = JobState>(
  jobs: readonly PlanJob[],
  stateOf: (job: PlanJob) => S,
  states: readonly S[] = JOB_STATES as readonly S[],
): { counts: Counts<S>; byKind: Record<string, Counts<S>> } {
  const counts = emptyCounts(states);
  const byKind: Record<string, Counts<S>> = {};
  for (const job of jobs) {
    const state = stateOf(job);
    const kind = (byKind[job.kind] ??= emptyCounts(states));
    for (const c of [counts, kind]) {
      c.total++;
      (c as Record<S, number>)[state]++;
    }
  }
  return { counts, byKind };
}

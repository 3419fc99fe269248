// summary.json: counts per job kind and state, what ran now, what was reused from earlier runs,
// every failure with its error, what each failure blocked and what was left pending.
import type { Plan } from '../plan/build-plan';
import { EXIT } from '../exit-codes';
import type { HashCost } from './hash-cache';
import type { RunFolder } from './run-folder';
import { causeOf, type FailureCause } from './transient';
import { type Counts, countStates, type Outcomes } from './outcomes';
import type { RunSelection } from './selection';
import type { ShardReport } from './shard-report';

export interface RunSummary {
  name: string;
  runDir: string;
  exitCode: number;
  interrupted: boolean;
  ms: number;
  finishedAt: string;
  counts: Counts & { ranNow: number };
  byKind: Record<string, Counts>;
  failures: {
    key: string;
    id: string;
    kind: string;
    error: string;
    attempts: number;
    earlier: boolean;
    /** transient: the environment caused it and the next plain run retries it; deterministic: only --rerun-failed does. */
    cause: FailureCause;
  }[];
  /** Keys of the jobs run (and finished) by this run. */
  ran: string[];
  /** Keys of the jobs whose results earlier runs left in the folder (not run again). */
  reused: string[];
  /** Jobs not run because a job they need failed (`by`: that job's key). */
  blocked: { key: string; id: string; by: string }[];
  /** Keys of the jobs neither finished nor failed (stopped, or left by --fail-fast). */
  pending: string[];
  /** Part of the config this run covered: --only names and --shard k/n; absent for a whole config. */
  selection?: RunSelection;
  /** SHA-256 of the config the run read (canonical JSON, 16 hex digits): which config these results belong to. */
  configHash?: string;
  /** "disk full writing <path>: free space and run again": the run stopped starting jobs; a plain rerun finishes it. */
  diskFull?: string;
  /**
   * What re-hashing artifacts cost this run: those it reused (checked at its start), those jobs
   * needed (checked before loading), and the copies it published.
   */
  hashing?: { reused: HashCost; needed: HashCost; published: HashCost };
  /** Written by `merge`: the run folders it combined, the shards none of them ran, and each shard's state. */
  merged?: { from: string[]; missingShards: string[]; shards: ShardReport[] };
}

export function summarize(
  plan: Plan,
  folder: RunFolder,
  outcomes: Outcomes,
  ms: number,
  interrupted: boolean,
  selection?: RunSelection,
): RunSummary {
  const { counts: states, byKind } = countStates(plan.jobs, (job) => outcomes.get(job.id)!.state);
  const failures: RunSummary['failures'] = [];
  const lists = {
    ran: [] as string[],
    reused: [] as string[],
    blocked: [] as RunSummary['blocked'],
    pending: [] as string[],
  };
  const keyOf = new Map(plan.jobs.map((job) => [job.id, job.key]));
  for (const job of plan.jobs) {
    const outcome = outcomes.get(job.id)!;
    if (outcome.state === 'done') (outcome.skipped ? lists.reused : lists.ran).push(job.key);
    if (outcome.state === 'blocked')
      lists.blocked.push({
        key: job.key,
        id: job.id,
        by: keyOf.get(outcome.blockedBy ?? '') ?? outcome.blockedBy ?? 'unknown',
      });
    if (outcome.state === 'pending') lists.pending.push(job.key);
    if (outcome.state === 'failed')
      failures.push({
        key: job.key,
        id: job.id,
        kind: job.kind,
        error: outcome.error ?? 'unknown error',
        attempts: outcome.attempts,
        earlier: outcome.attempts === 0,
        cause: causeOf(outcome.transient),
      });
  }
  const counts = { ...states, ranNow: lists.ran.length };
  const exitCode = interrupted ? EXIT.interrupted : counts.done === counts.total ? EXIT.ok : EXIT.failed;
  return {
    name: plan.name,
    runDir: folder.dir,
    exitCode,
    interrupted,
    ms,
    finishedAt: new Date().toISOString(),
    counts,
    byKind,
    failures,
    ...lists,
    ...(selection ? { selection } : {}),
  };
}

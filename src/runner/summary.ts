// summary.json: counts per job kind and state, and every failure with its error.
import type { Plan } from '../plan/build-plan';
import { EXIT } from './exit-codes';
import type { RunFolder } from './run-folder';
import type { JobOutcome, JobState } from './scheduler';

export type StateCounts = Record<JobState, number> & { total: number };

export interface RunSummary {
  name: string;
  runDir: string;
  exitCode: number;
  interrupted: boolean;
  ms: number;
  finishedAt: string;
  counts: StateCounts & { ranNow: number };
  byKind: Record<string, StateCounts>;
  failures: { key: string; id: string; kind: string; error: string; attempts: number; earlier: boolean }[];
}

export function emptyCounts(): StateCounts {
  return { total: 0, done: 0, failed: 0, blocked: 0, pending: 0 };
}

export function summarize(plan: Plan, folder: RunFolder, outcomes: Map<string, JobOutcome>, ms: number, interrupted: boolean): RunSummary {
  const counts = { ...emptyCounts(), ranNow: 0 };
  const byKind: Record<string, StateCounts> = {};
  const failures: RunSummary['failures'] = [];
  for (const job of plan.jobs) {
    const outcome = outcomes.get(job.id)!;
    const kind = (byKind[job.kind] ??= emptyCounts());
    for (const c of [counts, kind]) {
      c.total++;
      c[outcome.state]++;
    }
    if (outcome.state === 'done' && !outcome.skipped) counts.ranNow++;
    if (outcome.state === 'failed') failures.push({ key: job.key, id: job.id, kind: job.kind, error: outcome.error ?? 'unknown error', attempts: outcome.attempts, earlier: outcome.attempts === 0 });
  }
  const exitCode = interrupted ? EXIT.interrupted : counts.done === counts.total ? EXIT.ok : EXIT.failed;
  return { name: plan.name, runDir: folder.dir, exitCode, interrupted, ms, finishedAt: new Date().toISOString(), counts, byKind, failures };
}

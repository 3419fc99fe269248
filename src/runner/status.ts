// `run-experiments status <run folder>`: counts per job kind and state, each failure's error,
// and whether a run is live (with the lines live-run.ts gives on it) — read from the folder alone
// (plan.json, journal, results, lock).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors';
import type { Plan } from '../plan/build-plan';
import { lastEventById, readJournal, type JobEvent } from './journal';
import { describeOwner, isLive, readLock, type LockOwner } from './lock';
import { type Counts, countStates, JOB_STATES, type JobState, recordedState } from './outcomes';
import { readRunFile, RunFolder } from './run-folder';
import { formatTable } from './text-table';

/** A job's state as `status` sees it: a live run may be running it. */
export type StatusState = JobState | 'running';
const STATUS_STATES: readonly StatusState[] = [...JOB_STATES, 'running'];

export interface SavedPlan extends Plan {
  /** Absolute path of the config the plan came from. */
  config: string;
  /** The `field=value` overrides given on its command line. */
  overrides?: string[];
}

export interface RunStatus {
  runDir: string;
  plan: SavedPlan;
  liveRun?: LockOwner;
  states: Map<string, { state: StatusState; last?: JobEvent }>;
  counts: Counts<StatusState>;
  byKind: Record<string, Counts<StatusState>>;
}

export function readSavedPlan(runDir: string): SavedPlan {
  const folder = new RunFolder(path.resolve(runDir));
  if (!existsSync(folder.planFile))
    throw new UsageError(`${runDir}: not a run folder (no plan.json); run a config first`);
  return readRunFile<SavedPlan>(folder.planFile, isSavedPlan);
}

function isSavedPlan(value: unknown): boolean {
  const plan = value as Partial<SavedPlan> | null;
  return (
    plan !== null &&
    typeof plan === 'object' &&
    typeof plan.name === 'string' &&
    Array.isArray(plan.jobs) &&
    plan.jobs.every((job) => job !== null && typeof job === 'object' && typeof job.id === 'string')
  );
}

export function readStatus(runDir: string): RunStatus {
  const folder = new RunFolder(path.resolve(runDir));
  const plan = readSavedPlan(runDir);
  const owner = readLock(folder.lockFile);
  const liveRun = owner && isLive(owner) ? owner : undefined;
  const last = lastEventById(readJournal(folder.journalFile));
  const states: RunStatus['states'] = new Map();
  for (const job of plan.jobs) {
    const event = last.get(job.id);
    states.set(job.id, { state: stateOf(folder, job, event, !!liveRun), last: event });
  }
  const { counts, byKind } = countStates(plan.jobs, (job) => states.get(job.id)!.state, STATUS_STATES);
  return { runDir: folder.dir, plan, liveRun, states, counts, byKind };
}

/** What the folder says (done, failed), else what the last run journalled: blocked, still running, or pending. */
function stateOf(
  folder: RunFolder,
  job: { id: string; key: string },
  event: JobEvent | undefined,
  live: boolean,
): StatusState {
  const recorded = recordedState(folder, job, event);
  if (recorded) return recorded;
  if (event?.event === 'failed' && event.final) return 'failed'; // transient: the next run retries it
  if (event?.event === 'blocked') return 'blocked';
  if (live && event?.event === 'started') return 'running';
  return 'pending';
}

/** `live`: lines on the live run (live-run.ts's formatLive), after the line saying it is live. */
export function formatStatus(status: RunStatus, live: string[] = []): string[] {
  const { counts } = status;
  const lines = [
    `${status.runDir}: ${counts.total} jobs: ${counts.done} done, ${counts.failed} failed, ${counts.blocked} blocked, ${counts.running} running, ${counts.pending} pending`,
  ];
  if (status.liveRun) lines.push(`a run is live: ${describeOwner(status.liveRun)}`);
  if (status.liveRun) lines.push(...live);
  const header = ['kind', 'done', 'failed', 'blocked', 'running', 'pending', 'total'];
  const rows = Object.entries(status.byKind).map(([kind, c]) =>
    [kind, c.done, c.failed, c.blocked, c.running, c.pending, c.total].map(String),
  );
  lines.push('', ...formatTable(header, rows));
  const failed = status.plan.jobs.filter((job) => status.states.get(job.id)!.state === 'failed');
  if (failed.length) {
    lines.push('', 'failures:');
    for (const job of failed) {
      const event = status.states.get(job.id)!.last as Extract<JobEvent, { event: 'failed' }>;
      const cause = event.transient
        ? 'transient (the environment): the next run retries it'
        : 'deterministic: --rerun-failed retries it';
      lines.push(`  ${job.key} [${job.id}] after ${event.attempt} attempt(s), ${cause}: ${event.error}`);
    }
  }
  return lines;
}

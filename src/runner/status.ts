// `run-experiments status <run folder>`: counts per job kind and state, each failure's error,
// and whether a run is live — read from the folder alone (plan.json, journal, results, lock).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Plan, PlanJob } from '../plan/build-plan';
import { lastEventById, readJournal, type JobEvent } from './journal';
import { describeOwner, isLive, readLock, type LockOwner } from './lock';
import { RunFolder } from './run-folder';
import { emptyCounts, type StateCounts } from './summary';
import type { JobState } from './scheduler';

/** Bad input to `status` (no such run folder): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface SavedPlan extends Plan {
  /** Absolute path of the config the plan came from. */
  config: string;
}

export interface RunStatus {
  runDir: string;
  plan: SavedPlan;
  liveRun?: LockOwner;
  states: Map<string, { state: JobState | 'running'; last?: JobEvent }>;
  counts: StateCounts & { running: number };
  byKind: Record<string, StateCounts & { running: number }>;
}

export function readSavedPlan(runDir: string): SavedPlan {
  const folder = new RunFolder(path.resolve(runDir));
  if (!existsSync(folder.planFile))
    throw new UsageError(`${runDir}: not a run folder (no plan.json); run a config first`);
  return JSON.parse(readFileSync(folder.planFile, 'utf8')) as SavedPlan;
}

export function readStatus(runDir: string): RunStatus {
  const folder = new RunFolder(path.resolve(runDir));
  const plan = readSavedPlan(runDir);
  const owner = readLock(folder.lockFile);
  const liveRun = owner && isLive(owner) ? owner : undefined;
  const last = lastEventById(readJournal(folder.journalFile));
  const states: RunStatus['states'] = new Map();
  const counts = { ...emptyCounts(), running: 0 };
  const byKind: RunStatus['byKind'] = {};
  for (const job of plan.jobs) {
    const event = last.get(job.id);
    const state = stateOf(job, folder, event, !!liveRun);
    states.set(job.id, { state, last: event });
    const kind = (byKind[job.kind] ??= { ...emptyCounts(), running: 0 });
    for (const c of [counts, kind]) {
      c.total++;
      c[state]++;
    }
  }
  return { runDir: folder.dir, plan, liveRun, states, counts, byKind };
}

function stateOf(
  job: PlanJob,
  folder: RunFolder,
  event: JobEvent | undefined,
  live: boolean,
): JobState | 'running' {
  if (existsSync(folder.resultFile(job.id))) return 'done';
  if (event?.event === 'failed' && event.final) return 'failed';
  if (event?.event === 'blocked') return 'blocked';
  if (live && event?.event === 'started') return 'running';
  return 'pending';
}

export function formatStatus(status: RunStatus): string[] {
  const { counts } = status;
  const lines = [
    `${status.runDir}: ${counts.total} jobs: ${counts.done} done, ${counts.failed} failed, ${counts.blocked} blocked, ${counts.running} running, ${counts.pending} pending`,
  ];
  if (status.liveRun) lines.push(`a run is live: ${describeOwner(status.liveRun)}`);
  const header = ['kind', 'done', 'failed', 'blocked', 'running', 'pending', 'total'];
  const rows = Object.entries(status.byKind).map(([kind, c]) =>
    [kind, c.done, c.failed, c.blocked, c.running, c.pending, c.total].map(String),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  lines.push('', line(header), ...rows.map(line));
  const failed = status.plan.jobs.filter((job) => status.states.get(job.id)!.state === 'failed');
  if (failed.length) {
    lines.push('', 'failures:');
    for (const job of failed) {
      const event = status.states.get(job.id)!.last as Extract<JobEvent, { event: 'failed' }>;
      lines.push(`  ${job.key} [${job.id}] after ${event.attempt} attempt(s): ${event.error}`);
    }
  }
  return lines;
}

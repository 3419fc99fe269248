// What `merge` says about each shard: complete, or missing, interrupted, failed or incomplete,
// with the command that reruns it. Read from the shards' plans, journals and the merged states.
import path from 'node:path';
import type { JournalEvent } from './journal';
import type { RunFolder } from './run-folder';
import { countStates, type Outcomes } from './outcomes';
import { formatShard, parseShard, type RunSelection, type ShardLoad } from './shard';
import type { SavedPlan } from './status';
import { UsageError } from '../errors';

export type ShardState = 'complete' | 'missing' | 'interrupted' | 'failed' | 'incomplete';

export interface ShardReport {
  shard: string;
  state: ShardState;
  /** The shard's run folder (absent when missing). */
  folder?: string;
  jobs: number;
  done: number;
  failed: number;
  blocked: number;
  pending: number;
  /** Its jobs by kind, when missing (taken from another shard's plan.json). */
  byKind?: Record<string, number>;
  why: string;
  /** The command that finishes it (absent when complete). */
  rerun?: string;
}

export interface ShardInput {
  folder: RunFolder;
  plan: SavedPlan & { selection?: RunSelection };
  journal: JournalEvent[];
}

/** One report per shard 1..n when the inputs are shards of a config (else none). */
export function reportShards(inputs: readonly ShardInput[], outcomes: Outcomes): ShardReport[] {
  const shardInputs = inputs.filter((input) => input.plan.selection?.shard);
  if (shardInputs.length === 0) return [];
  const first = shardInputs[0];
  const count = parseShard(first.plan.selection!.shard!).count;
  for (const input of shardInputs) {
    const other = parseShard(input.plan.selection!.shard!);
    if (other.count !== count)
      throw new UsageError(
        `merge: ${input.folder.dir} is shard ${formatShard(other)} but ${first.folder.dir} is shard ${first.plan.selection!.shard}; merge the shards of one count`,
      );
  }
  const loads = shardInputs.find((input) => input.plan.selection?.shards)?.plan.selection?.shards;
  const reports: ShardReport[] = [];
  for (let index = 1; index <= count; index++) {
    const shard = formatShard({ index, count });
    const given = shardInputs.filter((input) => input.plan.selection!.shard === shard);
    if (given.length === 0) reports.push(missingShard(shard, first, loads?.[index - 1]));
    for (const input of given) reports.push(givenShard(shard, input, outcomes));
  }
  return reports;
}

function givenShard(shard: string, input: ShardInput, outcomes: Outcomes): ShardReport {
  const { total, ...states } = countStates(input.plan.jobs, (job) => outcomes.get(job.id)!.state).counts;
  const counts = { jobs: total, ...states };
  const base = { shard, folder: input.folder.dir, ...counts };
  if (counts.done === counts.jobs) return { ...base, state: 'complete', why: `${counts.jobs} jobs done` };
  const stopped = howTheLastRunEnded(input.journal);
  const rerun = rerunCommand(shard, input, counts.failed + counts.blocked > 0);
  const progress = `${counts.done} of ${counts.jobs} jobs done`;
  const failures = `${counts.failed} failed, ${counts.blocked} blocked`;
  if (counts.pending > 0 && stopped)
    return {
      ...base,
      state: 'interrupted',
      why: `${progress}, ${stopped}${counts.failed + counts.blocked ? `; ${failures}` : ''}`,
      rerun,
    };
  if (counts.failed + counts.blocked > 0)
    return { ...base, state: 'failed', why: `${progress}; ${failures}`, rerun };
  return { ...base, state: 'incomplete', why: `${progress}, ${counts.pending} pending`, rerun };
}

function missingShard(shard: string, like: ShardInput, load: ShardLoad | undefined): ShardReport {
  const jobs = load?.jobs ?? 0;
  return {
    shard,
    state: 'missing',
    jobs,
    done: 0,
    failed: 0,
    blocked: 0,
    pending: jobs,
    ...(load ? { byKind: load.byKind } : {}),
    why: load
      ? `no folder of it was given; its ${jobs} jobs are counted as pending`
      : 'no folder of it was given (the shards ran an older version that did not record each shard’s jobs)',
    rerun: rerunCommand(shard, like, false),
  };
}

/** Why the last run of a folder did not end normally, or undefined when it did. */
function howTheLastRunEnded(journal: readonly JournalEvent[]): string | undefined {
  for (let i = journal.length - 1; i >= 0; i--) {
    const event = journal[i];
    if (event.event === 'run-finished')
      return event.exitCode === 130 ? 'stopped by a signal (SIGTERM or SIGINT)' : undefined;
    if (event.event === 'run-started') return 'killed before it finished (its journal has no run-finished)';
  }
  return 'never started a run';
}

/** The command that runs a shard again into the same folder (it resumes what is done). */
function rerunCommand(shard: string, like: ShardInput, rerunFailed: boolean): string {
  const only = like.plan.selection?.only;
  return [
    'npx run-experiments',
    quote(like.plan.config),
    ...(like.plan.overrides ?? []).map(quote),
    `--shard ${shard}`,
    ...(only ? [`--only ${only.map(quote).join(',')}`] : []),
    `--out ${quote(path.dirname(like.folder.dir))}`,
    ...(rerunFailed ? ['--rerun-failed'] : []),
  ].join(' ');
}

/** A shell word: as is when plain, else in single quotes. */
function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

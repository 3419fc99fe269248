// What `merge` says about each shard: complete, or missing, interrupted, failed or incomplete,
// with the command that reruns it. Read from the shards' plans, journals and the merged states.
import path from 'node:path';
import type { JournalEvent } from './journal';
import type { RunFolder } from './run-folder';
import { countStates, type Outcomes } from './outcomes';
import type { RunSelection } from './selection';
import { formatShard, parseShard, type ShardLoad } from './shard';
import type { SavedPlan } from './status';
import { UsageError } from '../errors';

export type ShardState = 'complete' | 'missing' | 'interrupted' | 'failed' | 'incomplete';

export interface ShardReport {
  /** With --stage: the task's stage s/S (`shard` is then its task k/N). */
  stage?: string;
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
  const staged = inputs.filter((input) => input.plan.selection?.stage);
  if (staged.length) return reportStages(staged, outcomes);
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

/** One report per task of every stage (task k of stage s, in stage order) when the inputs are stages' tasks. */
function reportStages(inputs: readonly ShardInput[], outcomes: Outcomes): ShardReport[] {
  const first = inputs[0];
  const layout = first.plan.selection!.stages!;
  const budget = parseShard(first.plan.selection!.shard!).count;
  for (const input of inputs) {
    const { stage, shard } = input.plan.selection!;
    if (input.plan.selection!.stages!.length !== layout.length || parseShard(shard!).count !== budget)
      throw new UsageError(
        `merge: ${input.folder.dir} is stage ${stage} task ${shard} but ${first.folder.dir} is stage ${first.plan.selection!.stage} task ${first.plan.selection!.shard}; merge the tasks of one submission (one stage count and task budget)`,
      );
  }
  const reports: ShardReport[] = [];
  for (const stage of layout)
    for (const load of stage.loads) {
      const given = inputs.filter(
        (input) => input.plan.selection!.stage === stage.stage && input.plan.selection!.shard === load.shard,
      );
      const selection = `--stage ${stage.stage} --shard ${load.shard}`;
      if (given.length === 0)
        reports.push({ stage: stage.stage, ...missingShard(load.shard, first, load, selection) });
      for (const input of given)
        reports.push({ stage: stage.stage, ...givenShard(load.shard, input, outcomes, selection) });
    }
  return reports;
}

function givenShard(
  shard: string,
  input: ShardInput,
  outcomes: Outcomes,
  selection = `--shard ${shard}`,
): ShardReport {
  // A stage's task counts its own jobs, not the inputs it read.
  const own = input.plan.selection?.stage ? ownJobs(input) : input.plan.jobs;
  const { total, ...states } = countStates(own, (job) => outcomes.get(job.id)!.state).counts;
  const counts = { jobs: total, ...states };
  const base = { shard, folder: input.folder.dir, ...counts };
  if (counts.done === counts.jobs) return { ...base, state: 'complete', why: `${counts.jobs} jobs done` };
  const stopped = howTheLastRunEnded(input.journal);
  const rerun = rerunCommand(selection, input, counts.failed + counts.blocked > 0);
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

/**
 * The jobs a stage's task ran itself: its plan less the jobs of earlier stages it read. Jobs of one
 * stage never need each other, and each job past stage 1 needs one of the stage before.
 */
function ownJobs(input: ShardInput): ShardInput['plan']['jobs'] {
  if (input.plan.selection!.stage!.startsWith('1/')) return input.plan.jobs;
  const planned = new Set(input.plan.jobs.map((job) => job.id));
  return input.plan.jobs.filter((job) => Object.values(job.needs).some((need) => planned.has(need.id)));
}

function missingShard(
  shard: string,
  like: ShardInput,
  load: ShardLoad | undefined,
  selection = `--shard ${shard}`,
): ShardReport {
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
    rerun: rerunCommand(selection, like, false),
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
function rerunCommand(selection: string, like: ShardInput, rerunFailed: boolean): string {
  return runCommand({
    config: like.plan.config,
    overrides: like.plan.overrides,
    only: like.plan.selection?.only,
    selection,
    out: path.dirname(like.folder.dir),
    rerunFailed,
  });
}

/** `npx run-experiments <config> [overrides] <selection> [--only …] --out <out>`, each word quoted for a shell. */
export function runCommand(command: {
  config: string;
  overrides?: readonly string[];
  only?: readonly string[];
  selection: string;
  out: string;
  rerunFailed?: boolean;
}): string {
  return [
    'npx run-experiments',
    quote(command.config),
    ...(command.overrides ?? []).map(quote),
    command.selection,
    ...(command.only?.length ? [`--only ${command.only.map(quote).join(',')}`] : []),
    `--out ${quote(command.out)}`,
    ...(command.rerunFailed ? ['--rerun-failed'] : []),
  ].join(' ');
}

/** A shell word: as is when plain, else in single quotes. */
function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

// --stage s/S --shard k/N: the job graph in stages by dependency depth (stage 1: jobs that need
// nothing; stage d: jobs whose longest chain of needs is d − 1 long), and within a stage a share
// balanced by each job's estimated cost. Unlike --shard alone (closed groups that never wait on
// each other), a stage's tasks read the jobs they need from the earlier stages' run folders on a
// shared file system, so the three trainings of a config run on three nodes at once and their
// probes spread over every task of the next stage. N is a budget: stage s gets as many tasks as
// can finish sooner (never more than N, never more than the stage has jobs).
import type { Plan, PlanJob } from '../plan/build-plan';
import { UsageError } from '../errors';
import { formatShard, type Shard, type ShardLoad } from './shard';

export interface Stage {
  /** 1 to count. */
  index: number;
  count: number;
}

export function parseStage(text: string): Stage {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new UsageError(`--stage: expected s/S such as 2/3, got "${text}"`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index < 1 || index > count)
    throw new UsageError(`--stage ${text}: s must be from 1 to S (stages count from 1)`);
  return { index, count };
}

/** Job id → its stage (1-based): one more than the latest stage of its needs within `jobs`. */
export function stagesOf(jobs: readonly PlanJob[]): Map<string, number> {
  const stage = new Map<string, number>();
  // Needs come before the jobs needing them, so one pass suffices.
  for (const job of jobs) {
    let depth = 1;
    for (const need of Object.values(job.needs)) {
      const of = stage.get(need.id);
      if (of !== undefined) depth = Math.max(depth, of + 1);
    }
    stage.set(job.id, depth);
  }
  return stage;
}

/** One stage of the layout that a task budget N gives. */
export interface StageLoad {
  stage: string;
  jobs: number;
  /** Sum of the jobs' estimated costs (≈ seconds on one core). */
  cost: number;
  /** The costliest single job: no task of the stage can finish sooner. */
  largest: number;
  /** Tasks that share the stage: min(N, jobs, total ÷ largest rounded up). */
  tasks: number;
  byKind: Record<string, number>;
  /** Each task's share (labels k/N): merge counts a missing task's jobs from it. */
  loads: ShardLoad[];
}

/** The jobs of every stage, in plan order. */
export function jobsByStage(jobs: readonly PlanJob[]): PlanJob[][] {
  const stageOf = stagesOf(jobs);
  const stages: PlanJob[][] = [];
  for (const job of jobs) (stages[stageOf.get(job.id)! - 1] ??= []).push(job);
  return stages;
}

export function stageLayout(jobs: readonly PlanJob[], budget: number): StageLoad[] {
  const stages = jobsByStage(jobs);
  return stages.map((members, i) => {
    const cost = members.reduce((sum, job) => sum + job.cost, 0);
    const largest = members.reduce((max, job) => Math.max(max, job.cost), 0);
    const useful = largest > 0 ? Math.ceil(cost / largest - 1e-9) : 1;
    const tasks = Math.max(1, Math.min(budget, members.length, useful));
    return {
      stage: `${i + 1}/${stages.length}`,
      jobs: members.length,
      cost,
      largest,
      tasks,
      byKind: countKinds(members),
      loads: taskLoads(members, tasks, budget),
    };
  });
}

function countKinds(jobs: readonly PlanJob[]): Record<string, number> {
  const byKind: Record<string, number> = {};
  for (const job of jobs) byKind[job.kind] = (byKind[job.kind] ?? 0) + 1;
  return byKind;
}

function taskLoads(members: readonly PlanJob[], tasks: number, budget: number): ShardLoad[] {
  const taskOf = assignTasks(members, tasks);
  return Array.from({ length: tasks }, (_, i) => {
    const own = members.filter((job) => taskOf.get(job.id) === i + 1);
    return {
      shard: formatShard({ index: i + 1, count: budget }),
      jobs: own.length,
      cost: own.reduce((sum, job) => sum + job.cost, 0),
      byKind: countKinds(own),
    };
  });
}

/** Job id → task (1..count) within one stage: costliest job first onto the least loaded task. */
export function assignTasks(members: readonly PlanJob[], count: number): Map<string, number> {
  const order = members.map((job, i) => ({ job, i })).sort((a, b) => b.job.cost - a.job.cost || a.i - b.i);
  const loads = new Array<number>(count).fill(0);
  const taskOf = new Map<string, number>();
  for (const { job } of order) {
    let best = 0;
    for (let t = 1; t < count; t++) if (loads[t] < loads[best]) best = t;
    loads[best] += job.cost;
    taskOf.set(job.id, best + 1);
  }
  return taskOf;
}

/** Where a job of the plan runs under a task budget: its stage and task, as --stage and --shard say them. */
export interface Placement {
  stage: Stage;
  shard: Shard;
}

export function placeJobs(jobs: readonly PlanJob[], budget: number): Map<string, Placement> {
  const layout = stageLayout(jobs, budget);
  const placement = new Map<string, Placement>();
  jobsByStage(jobs).forEach((members, i) => {
    const stage = { index: i + 1, count: layout.length };
    for (const [id, task] of assignTasks(members, layout[i].tasks))
      placement.set(id, { stage, shard: { index: task, count: budget } });
  });
  return placement;
}

/** The share of one task of a stage, and the jobs of earlier stages it reads (its inputs). */
export interface StageTask {
  /** The task's own jobs, after the inputs they need (plan order). */
  plan: Plan;
  /** Jobs of earlier stages that the task's jobs need: read, never run. */
  inputs: PlanJob[];
  layout: StageLoad[];
  /** Every task's share of this stage (labels k/N). */
  loads: ShardLoad[];
}

export function selectStageTask(plan: Plan, stage: Stage, shard: Shard): StageTask {
  const layout = stageLayout(plan.jobs, shard.count);
  if (stage.count !== layout.length)
    throw new UsageError(
      `--stage ${stage.index}/${stage.count}: ${plan.name} has ${layout.length} stage${layout.length === 1 ? '' : 's'}, not ${stage.count} (was the config changed since the stages were submitted?)`,
    );
  const load = layout[stage.index - 1];
  if (shard.index > load.tasks)
    throw new UsageError(
      `--stage ${stage.index}/${stage.count} --shard ${formatShard(shard)}: stage ${load.stage} has ${load.tasks} task${load.tasks === 1 ? '' : 's'} at a budget of ${shard.count} (more would have nothing to do); k must be from 1 to ${load.tasks}`,
    );
  const members = jobsByStage(plan.jobs)[stage.index - 1];
  const taskOf = assignTasks(members, load.tasks);
  const own = new Set(members.filter((job) => taskOf.get(job.id) === shard.index).map((job) => job.id));
  const needed = new Set<string>();
  for (const job of plan.jobs)
    if (own.has(job.id))
      for (const need of Object.values(job.needs)) if (!own.has(need.id)) needed.add(need.id);
  return {
    plan: { ...plan, jobs: plan.jobs.filter((job) => own.has(job.id) || needed.has(job.id)) },
    inputs: plan.jobs.filter((job) => needed.has(job.id)),
    layout,
    loads: load.loads,
  };
}

/** The run folder name of a task: `<name>-stage-s-of-S-shard-k-of-N`. */
export function stageFolderName(name: string, stage: Stage, shard: Shard): string {
  return `${name}-stage-${stage.index}-of-${stage.count}-shard-${shard.index}-of-${shard.count}`;
}

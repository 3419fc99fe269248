// --stage s/S --shard k/N: the job graph in stages (stage 1: jobs that need nothing, and what can
// run beside them in one task; each later stage: what the earlier ones make ready — planStages),
// and within a stage a share balanced by estimated cost. Unlike --shard alone (closed groups that
// never wait on each other), a stage's tasks read the jobs they need from the earlier stages' run
// folders on a shared file system, so the three trainings of a config run on three nodes at once
// and their probes spread over every task of the next stage. N is a budget: stage s gets as many
// tasks as can finish sooner (never more than N, never more than the stage has units of jobs).
import type { Plan, PlanJob } from '../plan/build-plan';
import { UsageError } from '../errors';
import { estimatedSeconds, RUN_OVERHEAD } from '../plan/cost-model';
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

const needIds = (job: PlanJob) => Object.values(job.needs).map((need) => need.id);
const costOf = (jobs: readonly PlanJob[]) => jobs.reduce((sum, job) => sum + job.cost, 0);

/** Seconds a task takes before its first job (node, planning, its workers): what one more stage costs at least. */
export const TASK_START_SECONDS = estimatedSeconds(RUN_OVERHEAD, 0);

/** One stage of the layout that a task budget N gives. */
export interface StageLoad {
  stage: string;
  jobs: number;
  /** Sum of the jobs' estimated costs (≈ seconds on one core). */
  cost: number;
  /** The costliest single job: no task of the stage can finish sooner. */
  largest: number;
  /** Tasks that share the stage: min(N, units of jobs that go together, their total ÷ the largest rounded up). */
  tasks: number;
  byKind: Record<string, number>;
  /** Each task's share (labels k/N): merge counts a missing task's jobs from it. */
  loads: ShardLoad[];
}

/** The jobs of one stage (plan order) and the task (1..tasks) of each. */
interface StagePlan {
  members: PlanJob[];
  tasks: number;
  taskOf: Map<string, number>;
}

/**
 * The stages of a plan under a task budget. Stage s holds the jobs whose needs all ran in earlier
 * stages, shared by cost between its tasks, and two kinds of later job that can run beside them
 * in one task without stretching the stage:
 * - a job gathering several (a summary of chunks) goes with the chunks: they form one unit on one
 *   task, unless the unit outweighs a task's share of the stage;
 * - a job whose needs ran in earlier stages or in one task of this one fills that task while it
 *   would otherwise finish before the stage's busiest task (the third training's task starts
 *   its model's probes).
 * So a stage ends no later than its ready jobs alone would let it, and a summary needs no stage
 * of its own.
 */
export function planStages(jobs: readonly PlanJob[], budget: number): StagePlan[] {
  const stages: StagePlan[] = [];
  const earlier = new Set<string>();
  let remaining = [...jobs];
  while (remaining.length > 0) {
    const ready = remaining.filter((job) => needIds(job).every((id) => earlier.has(id)));
    const stage = shareStage(ready, remaining, earlier, budget);
    stages.push(stage);
    for (const job of stage.members) earlier.add(job.id);
    remaining = remaining.filter((job) => !stage.taskOf.has(job.id));
  }
  return stages;
}

function shareStage(
  ready: readonly PlanJob[],
  remaining: readonly PlanJob[],
  earlier: ReadonlySet<string>,
  budget: number,
): StagePlan {
  const cost = costOf(ready);
  const largest = ready.reduce((max, job) => Math.max(max, job.cost), 0);
  const useful = largest > 0 ? Math.ceil(cost / largest - 1e-9) : 1;
  const units = gatheredUnits(ready, remaining, earlier, Math.max(1, Math.min(budget, ready.length, useful)));
  const unitCost = units.reduce((sum, unit) => sum + unit.cost, 0);
  const fit = units[0].cost > 0 ? Math.ceil(unitCost / units[0].cost - 1e-9) : 1;
  const tasks = Math.max(1, Math.min(budget, units.length, fit));
  const taskOf = new Map<string, number>();
  const loads = new Array<number>(tasks).fill(0);
  // Costliest unit first onto the least loaded task.
  for (const unit of units) {
    let best = 0;
    for (let t = 1; t < tasks; t++) if (loads[t] < loads[best]) best = t;
    loads[best] += unit.cost;
    for (const job of unit.jobs) taskOf.set(job.id, best + 1);
  }
  const pace = Math.max(...loads);
  for (const job of remaining) {
    if (taskOf.has(job.id)) continue;
    const needs = needIds(job);
    if (!needs.every((id) => earlier.has(id) || taskOf.has(id))) continue;
    const within = new Set(needs.flatMap((id) => (taskOf.has(id) ? [taskOf.get(id)!] : [])));
    const [task] = within;
    if (within.size !== 1 || loads[task - 1] + job.cost > pace) continue;
    loads[task - 1] += job.cost;
    taskOf.set(job.id, task);
  }
  return { members: remaining.filter((job) => taskOf.has(job.id)), tasks, taskOf };
}

interface Unit {
  jobs: PlanJob[];
  cost: number;
}

/**
 * The ready jobs in units that go to one task, costliest first (plan order among equals): the
 * ready needs of each later job that gathers several jobs, with that job, and every other ready
 * job alone. A unit that would outweigh a task's share of the stage by more than a task's start
 * (what a stage for its gatherer would cost) is split into its ready jobs, and its gatherer waits
 * for a later stage.
 */
function gatheredUnits(
  ready: readonly PlanJob[],
  remaining: readonly PlanJob[],
  earlier: ReadonlySet<string>,
  tasks: number,
): Unit[] {
  const isReady = new Set(ready.map((job) => job.id));
  const parent = new Map(ready.map((job) => [job.id, job.id]));
  const root = (id: string): string => {
    while (parent.get(id) !== id) id = parent.get(id)!;
    return id;
  };
  const gatherers: { job: PlanJob; with: string }[] = [];
  for (const job of remaining) {
    const needs = needIds(job);
    if (isReady.has(job.id) || needs.length < 2) continue;
    if (!needs.every((id) => earlier.has(id) || isReady.has(id))) continue;
    const here = needs.filter((id) => isReady.has(id));
    for (const id of here.slice(1)) parent.set(root(id), root(here[0]));
    gatherers.push({ job, with: here[0] });
  }
  const units = new Map<string, Unit>();
  const add = (id: string, job: PlanJob) => {
    const unit = units.get(root(id)) ?? { jobs: [], cost: 0 };
    unit.jobs.push(job);
    unit.cost += job.cost;
    units.set(root(id), unit);
  };
  for (const job of ready) add(job.id, job);
  for (const gatherer of gatherers) add(gatherer.with, gatherer.job);
  const share = (costOf(ready) + costOf(gatherers.map((g) => g.job))) / tasks;
  return [...units.values()]
    .flatMap((unit) =>
      unit.cost <= share + TASK_START_SECONDS
        ? [unit]
        : unit.jobs.flatMap((job) => (isReady.has(job.id) ? [{ jobs: [job], cost: job.cost }] : [])),
    )
    .sort((a, b) => b.cost - a.cost);
}

function countKinds(jobs: readonly PlanJob[]): Record<string, number> {
  const byKind: Record<string, number> = {};
  for (const job of jobs) byKind[job.kind] = (byKind[job.kind] ?? 0) + 1;
  return byKind;
}

export function stageLayout(jobs: readonly PlanJob[], budget: number): StageLoad[] {
  return layoutOf(planStages(jobs, budget), budget);
}

function layoutOf(stages: readonly StagePlan[], budget: number): StageLoad[] {
  return stages.map(({ members, tasks, taskOf }, i) => ({
    stage: `${i + 1}/${stages.length}`,
    jobs: members.length,
    cost: costOf(members),
    largest: members.reduce((max, job) => Math.max(max, job.cost), 0),
    tasks,
    byKind: countKinds(members),
    loads: Array.from({ length: tasks }, (_, t) => {
      const own = members.filter((job) => taskOf.get(job.id) === t + 1);
      return {
        shard: formatShard({ index: t + 1, count: budget }),
        jobs: own.length,
        cost: costOf(own),
        byKind: countKinds(own),
      };
    }),
  }));
}

/** Where a job of the plan runs under a task budget: its stage and task, as --stage and --shard say them. */
export interface Placement {
  stage: Stage;
  shard: Shard;
}

export function placeJobs(jobs: readonly PlanJob[], budget: number): Map<string, Placement> {
  return placementOf(planStages(jobs, budget), budget);
}

function placementOf(stages: readonly StagePlan[], budget: number): Map<string, Placement> {
  const placement = new Map<string, Placement>();
  stages.forEach(({ taskOf }, i) => {
    const stage = { index: i + 1, count: stages.length };
    for (const [id, task] of taskOf) placement.set(id, { stage, shard: { index: task, count: budget } });
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
  /** Where every job of the plan runs: the task that holds each input. */
  placement: Map<string, Placement>;
}

export function selectStageTask(plan: Plan, stage: Stage, shard: Shard): StageTask {
  const stages = planStages(plan.jobs, shard.count);
  const layout = layoutOf(stages, shard.count);
  if (stage.count !== layout.length)
    throw new UsageError(
      `--stage ${stage.index}/${stage.count}: ${plan.name} has ${layout.length} stage${layout.length === 1 ? '' : 's'}, not ${stage.count} (was the config changed since the stages were submitted?)`,
    );
  const load = layout[stage.index - 1];
  if (shard.index > load.tasks)
    throw new UsageError(
      `--stage ${stage.index}/${stage.count} --shard ${formatShard(shard)}: stage ${load.stage} has ${load.tasks} task${load.tasks === 1 ? '' : 's'} at a budget of ${shard.count} (more would have nothing to do); k must be from 1 to ${load.tasks}`,
    );
  const { taskOf } = stages[stage.index - 1];
  const own = new Set([...taskOf].filter(([, task]) => task === shard.index).map(([id]) => id));
  const needed = new Set<string>();
  for (const job of plan.jobs)
    if (own.has(job.id)) for (const id of needIds(job)) if (!own.has(id)) needed.add(id);
  return {
    plan: { ...plan, jobs: plan.jobs.filter((job) => own.has(job.id) || needed.has(job.id)) },
    inputs: plan.jobs.filter((job) => needed.has(job.id)),
    layout,
    loads: load.loads,
    placement: placementOf(stages, shard.count),
  };
}

/** The run folder name of a task: `<name>-stage-s-of-S-shard-k-of-N`. */
export function stageFolderName(name: string, stage: Stage, shard: Shard): string {
  return `${name}-stage-${stage.index}-of-${stage.count}-shard-${shard.index}-of-${shard.count}`;
}

// --shard k/n: a deterministic share of the job graph. Jobs that depend on one another stay in
// one shard (the graph is split by connected components), so shards never wait on each other;
// components go to shards by estimated cost (largest first, each to the least loaded shard).
import type { Plan, PlanJob } from '../plan/build-plan';
import { UsageError } from '../errors';

export interface Shard {
  /** 1 to count, as jest and Playwright count. */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new UsageError(`--shard: expected k/n such as 1/3, got "${text}"`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1) throw new UsageError(`--shard ${text}: the number of shards must be at least 1`);
  if (index < 1 || index > count)
    throw new UsageError(
      `--shard ${text}: k must be from 1 to ${count} (shards count from 1, as in jest and Playwright)`,
    );
  return { index, count };
}

export const formatShard = (shard: Shard) => `${shard.index}/${shard.count}`;

/** Groups of jobs linked by needs, each in plan order, the groups in order of their first job. */
export function connectedComponents(jobs: readonly PlanJob[]): PlanJob[][] {
  const parent = new Map(jobs.map((job) => [job.id, job.id]));
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root)!;
    while (parent.get(id) !== root) {
      const next = parent.get(id)!;
      parent.set(id, root);
      id = next;
    }
    return root;
  };
  for (const job of jobs) {
    for (const need of Object.values(job.needs)) {
      if (!parent.has(need.id)) continue; // a need outside this set of jobs (after --only): nothing to join
      const a = find(job.id);
      const b = find(need.id);
      if (a !== b) parent.set(b, a);
    }
  }
  const groups = new Map<string, PlanJob[]>();
  for (const job of jobs) {
    const root = find(job.id);
    const group = groups.get(root);
    if (group) group.push(job);
    else groups.set(root, [job]);
  }
  return [...groups.values()];
}

/** Which shard (1..count) each job id belongs to. */
export function assignShards(jobs: readonly PlanJob[], count: number): Map<string, number> {
  const components = connectedComponents(jobs).map((group, order) => ({
    group,
    order,
    cost: group.reduce((sum, job) => sum + job.cost, 0),
  }));
  // Largest first onto the least loaded shard; ties broken by plan order and shard number, so every machine agrees.
  components.sort((a, b) => b.cost - a.cost || a.order - b.order);
  const loads = new Array<number>(count).fill(0);
  const shardOf = new Map<string, number>();
  for (const { group, cost } of components) {
    let best = 0;
    for (let s = 1; s < count; s++) if (loads[s] < loads[best]) best = s;
    loads[best] += cost;
    for (const job of group) shardOf.set(job.id, best + 1);
  }
  return shardOf;
}

/** The plan with only the jobs of one shard (still in plan order, so needs come first). */
export function selectShard(plan: Plan, shard: Shard): Plan {
  const shardOf = assignShards(plan.jobs, shard.count);
  return { ...plan, jobs: plan.jobs.filter((job) => shardOf.get(job.id) === shard.index) };
}

/** One shard's share of the plan: what a missing shard leaves pending, and what --dry-run prints. */
export interface ShardLoad {
  shard: string;
  jobs: number;
  /** Sum of the jobs' estimated costs (the planner's units). */
  cost: number;
  byKind: Record<string, number>;
}

export function shardLoads(jobs: readonly PlanJob[], count: number): ShardLoad[] {
  const shardOf = assignShards(jobs, count);
  const loads: ShardLoad[] = Array.from({ length: count }, (_, i) => ({
    shard: formatShard({ index: i + 1, count }),
    jobs: 0,
    cost: 0,
    byKind: {},
  }));
  for (const job of jobs) {
    const load = loads[shardOf.get(job.id)! - 1];
    load.jobs++;
    load.cost += job.cost;
    load.byKind[job.kind] = (load.byKind[job.kind] ?? 0) + 1;
  }
  return loads;
}

export interface Balance {
  total: number;
  /** The costliest group of linked jobs (a model with all its probes): its cost and its first job. */
  largest: { cost: number; jobs: number; first: string };
  /**
   * More shards than this cannot finish sooner: the largest group then holds a shard's ideal
   * share or more. Undefined when the jobs cost nothing.
   */
  usefulShards?: number;
}

export function balanceOf(jobs: readonly PlanJob[]): Balance {
  let total = 0;
  let largest = { cost: -1, jobs: 0, first: '' };
  for (const group of connectedComponents(jobs)) {
    const cost = group.reduce((sum, job) => sum + job.cost, 0);
    total += cost;
    if (cost > largest.cost) largest = { cost, jobs: group.length, first: group[0].key };
  }
  if (largest.cost < 0) largest.cost = 0;
  return {
    total,
    largest,
    ...(largest.cost > 0 ? { usefulShards: Math.ceil(total / largest.cost - 1e-9) } : {}),
  };
}

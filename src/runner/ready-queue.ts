// The scheduler's queue of jobs whose needs are all done: longest remaining chain first.
import type { PlanJob } from '../plan/build-plan';

/** Job id → the jobs that need it. */
export type Dependents = Map<string, PlanJob[]>;

export function dependentsOf(jobs: readonly PlanJob[]): Dependents {
  const dependents: Dependents = new Map();
  for (const job of jobs) {
    for (const need of new Set(Object.values(job.needs).map((n) => n.id))) {
      const list = dependents.get(need);
      if (list) list.push(job);
      else dependents.set(need, [job]);
    }
  }
  return dependents;
}

/** A job's place in the queue: highest priority first, then in plan order. */
interface Ranked {
  job: PlanJob;
  priority: number;
  order: number;
}

export class ReadyQueue {
  private readonly ranks = new Map<string, Ranked>();
  private readonly heap = new Heap<Ranked>((a, b) => b.priority - a.priority || a.order - b.order);

  /** `jobs` in plan order (every job after the jobs it needs). */
  constructor(jobs: readonly PlanJob[], dependents: Dependents) {
    // Priority: the job's cost plus the costliest chain of dependents after it.
    const priority = new Map<string, number>();
    for (let i = jobs.length - 1; i >= 0; i--) {
      const job = jobs[i];
      const after = (dependents.get(job.id) ?? []).reduce(
        (most, d) => Math.max(most, priority.get(d.id)!),
        0,
      );
      priority.set(job.id, job.cost + after);
    }
    // Ranks are looked up once per push, not on every comparison inside the heap.
    jobs.forEach((job, order) => this.ranks.set(job.id, { job, priority: priority.get(job.id)!, order }));
  }

  get size(): number {
    return this.heap.size;
  }
  push(job: PlanJob): void {
    this.heap.push(this.ranks.get(job.id)!);
  }
  pop(): PlanJob | undefined {
    return this.heap.pop()?.job;
  }
  peek(): PlanJob | undefined {
    return this.heap.peek()?.job;
  }
}

/** A binary heap: the ready queue holds thousands of jobs, so no sorting on every push. */
class Heap<T> {
  private readonly items: T[] = [];
  constructor(private readonly before: (a: T, b: T) => number) {}
  get size(): number {
    return this.items.length;
  }
  peek(): T | undefined {
    return this.items[0];
  }
  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.before(items[i], items[parent]) >= 0) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let best = i;
        if (left < items.length && this.before(items[left], items[best]) < 0) best = left;
        if (right < items.length && this.before(items[right], items[best]) < 0) best = right;
        if (best === i) break;
        [items[i], items[best]] = [items[best], items[i]];
        i = best;
      }
    }
    return top;
  }
}

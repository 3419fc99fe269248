// The pool's only entry (compiled to dist/workers/job.js): runs one job attempt on this thread.
// Dispatches on the job kind from the registry; job kinds load heavy modules (tfjs) lazily, so
// threads that only run light jobs stay light.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { jobKinds } from '../src/experiments/index';
import type { JobContext, JobKind } from '../src/experiments/kind';
import type { WorkerData } from '../src/runner/pool';
import { writeRecord } from '../src/runner/job-record';
import type { JobTask, JobTaskResult } from '../src/runner/task';

const kinds = new Map<string, JobKind>(jobKinds.map((kind) => [kind.kind, kind]));

/** Survives between jobs on this thread: loaded data sets and models. */
const cache = new Map<string, unknown>();

/** Tells the runner a task has begun, so its time limit starts now, not while this thread was starting. */
const started = new BroadcastChannel((Piscina.workerData as WorkerData).startedChannel);
started.unref();

export default async function runJob(task: JobTask): Promise<unknown> {
  if (task.notifyStart) started.postMessage(task.dir);
  const startedAt = new Date();
  const kind = kinds.get(task.kind);
  if (!kind) throw new Error(`no job kind "${task.kind}" in this worker (is dist/ up to date? run npm run build)`);
  makeEmptyDir(task.dir);
  const controller = new AbortController();
  const timer = task.timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(new Error(`timed out after ${task.timeoutMs! / 1000} s`)), task.timeoutMs);
  const ctx: JobContext = { dir: task.dir, needs: task.needs, cache, signal: controller.signal };
  try {
    const result = await kind.run(task.params, ctx);
    for (const file of task.publish) {
      if (!existsSync(path.join(task.dir, ...file.split('/')))) throw new Error(`the job did not write ${file}, which it lists in publish`);
    }
    const ms = Date.now() - startedAt.getTime();
    // Last inside the folder: its presence is what makes the attempt a finished job.
    writeRecord(task.dir, { ...task.header, startedAt: startedAt.toISOString(), ms, result });
    const reply: JobTaskResult = { ms, result };
    return withTransferables(reply);
  } catch (error) {
    // A job that gave up because of the time limit says so, whatever it threw.
    if (controller.signal.aborted) throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The attempt's own folder (the runner removes leftovers of killed runs when it starts, so it is rarely there). */
function makeEmptyDir(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
  }
}

/** Moves (not copies) the buffers of typed arrays in the result back to the runner. */
function withTransferables(result: unknown): unknown {
  const buffers = new Set<ArrayBuffer>();
  const visit = (value: unknown, depth: number) => {
    if (value === null || typeof value !== 'object' || depth > 4) return;
    if (ArrayBuffer.isView(value)) {
      if (value.buffer instanceof ArrayBuffer && value.byteLength === value.buffer.byteLength) buffers.add(value.buffer);
      return;
    }
    for (const child of Object.values(value)) visit(child, depth + 1);
  };
  visit(result, 0);
  if (buffers.size === 0) return result;
  // piscina transfers what a "movable" Transferable lists and sends its value.
  const transferable = {
    get [Piscina.transferableSymbol]() {
      return [...buffers];
    },
    get [Piscina.valueSymbol]() {
      return result;
    },
  };
  return Piscina.move(transferable as unknown as Parameters<typeof Piscina.move>[0]);
}

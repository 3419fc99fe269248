// The pool's only entry (compiled to dist/workers/job.js): runs a batch of job attempts on this
// thread, one after another. Each task names its job kind's module (relative to src/kinds), which
// this thread loads when it first runs a job of that kind: defining the kind registers it. Job
// kinds load heavy modules (tfjs) lazily too, so threads that only run light jobs stay light.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { errorFields } from '../src/errors';
import { type JobContext, type JobKind, type JobProgress, registered } from '../src/jobs/kind';
import type { WorkerData, WorkerEvent } from '../src/runner/pool';
import { commitJob, writeRecord } from '../src/runner/job-record';
import type { JobError, JobReply, WorkerBatch, WorkerTask } from '../src/runner/task';
import { verifyNeeds } from '../src/runner/verify';
import { costSince, hashCost, rememberHashes } from '../src/runner/hash-cache';
import { setWasmHeapLimit } from '../src/tf/wasm-heap-limit';
import { threadCpuMs } from '../src/runner/thread-cpu';

const { eventsChannel, wasmHeapBytes } = Piscina.workerData as WorkerData;
if (wasmHeapBytes !== undefined) setWasmHeapLimit(wasmHeapBytes);

/** The task's job kind, its module loaded when this thread first runs a job of that kind. */
function jobKind(task: WorkerTask): JobKind | undefined {
  if (!registered.jobs.has(task.kind)) require(path.join(__dirname, '..', 'src', 'kinds', task.module));
  return registered.jobs.get(task.kind);
}

/** Survives between jobs on this thread: loaded data sets and models. */
const cache = new Map<string, unknown>();

/**
 * Tells the runner a batch has begun (so its time limit starts now, not while this thread was
 * starting), and passes on what long jobs report of their progress.
 */
const events = new BroadcastChannel(eventsChannel);
events.unref();
const post = (event: WorkerEvent) => events.postMessage(event);

export default async function runBatch(batch: WorkerBatch): Promise<unknown> {
  if (batch.notifyStart) post({ batch: batch.id, started: true });
  const replies: JobReply[] = [];
  // A job that throws fails alone; one that ends the thread fails the batch, and the runner sorts it out.
  for (const [job, task] of batch.jobs.entries()) {
    const before = hashCost();
    try {
      const progress = (update: JobProgress) => post({ batch: batch.id, job, progress: update });
      replies.push({ ok: true, ...(await runJob(task, progress)) });
    } catch (error) {
      replies.push({ ok: false, error: jobError(error) });
    }
    replies[replies.length - 1].hashed = costSince(before);
  }
  return withTransferables(replies);
}

async function runJob(
  task: WorkerTask,
  progress: JobContext['progress'],
): Promise<{ ms: number; cpuMs?: number; result: unknown }> {
  const startedAt = new Date();
  const cpuBefore = threadCpuMs();
  const kind = jobKind(task);
  if (!kind)
    throw new Error(
      `no job kind "${task.kind}" in src/kinds/${task.module} (is dist/ up to date? run npm run build)`,
    );
  if (task.knownHashes) rememberHashes(task.knownHashes);
  verifyNeeds(task.needs);
  makeEmptyDir(task.dir);
  const controller = new AbortController();
  const timer =
    task.timeoutMs === undefined
      ? undefined
      : setTimeout(
          () => controller.abort(new Error(`timed out after ${task.timeoutMs! / 1000} s`)),
          task.timeoutMs,
        );
  const ctx: JobContext = { dir: task.dir, needs: task.needs, cache, signal: controller.signal, progress };
  try {
    const result = await kind.run(task.params, ctx);
    for (const file of task.publish) {
      if (!existsSync(path.join(task.dir, ...file.split('/'))))
        throw new Error(`the job did not write ${file}, which it lists in publish`);
    }
    // Past its time limit, a job that finished anyway is not kept: the runner is ending this attempt.
    if (controller.signal.aborted) throw controller.signal.reason;
    const ms = Date.now() - startedAt.getTime();
    // Last inside the folder: its presence is what makes the attempt a finished job.
    writeRecord(task.dir, { ...task.header, startedAt: startedAt.toISOString(), ms, result });
    commitJob(task.dir, task.jobDir);
    const cpuAfter = threadCpuMs();
    return {
      ms,
      ...(cpuBefore !== undefined && cpuAfter !== undefined ? { cpuMs: cpuAfter - cpuBefore } : {}),
      result,
    };
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

function jobError(error: unknown): JobError {
  return errorFields(error) ?? { message: String(error) };
}

/** Moves (not copies) the buffers of typed arrays in the results back to the runner. */
function withTransferables(replies: JobReply[]): unknown {
  const buffers = new Set<ArrayBuffer>();
  const visit = (value: unknown, depth: number) => {
    if (value === null || typeof value !== 'object' || depth > 4) return;
    if (ArrayBuffer.isView(value)) {
      if (value.buffer instanceof ArrayBuffer && value.byteLength === value.buffer.byteLength)
        buffers.add(value.buffer);
      return;
    }
    for (const child of Object.values(value)) visit(child, depth + 1);
  };
  for (const reply of replies) if (reply.ok) visit(reply.result, 0);
  if (buffers.size === 0) return replies;
  // piscina transfers what a "movable" Transferable lists and sends its value.
  const transferable = {
    get [Piscina.transferableSymbol]() {
      return [...buffers];
    },
    get [Piscina.valueSymbol]() {
      return replies;
    },
  };
  return Piscina.move(transferable as unknown as Parameters<typeof Piscina.move>[0]);
}

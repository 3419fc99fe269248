// Messages between the runner and its worker threads (workers/job.ts).
import type { ErrorFields } from '../errors';
import type { JsonObject, NeededJob } from '../jobs/kind';
import type { HashCost, KnownHashes } from './hash-cache';
import type { JobHeader } from './job-record';

/** One attempt of one job, as the scheduler sends it to the pool. */
export interface JobTask {
  kind: string;
  params: JsonObject;
  /** The attempt's folder, created by the worker; renamed to `jobDir` when the job succeeds. */
  dir: string;
  /** The job's folder `jobs/<id>`: the worker renames `dir` to it after writing result.json. */
  jobDir: string;
  needs: Record<string, NeededJob>;
  /** Files the job must have written (relative to `dir`) for it to count as finished. */
  publish: string[];
  /** What result.json records besides the result. */
  header: JobHeader;
  /** The worker aborts `ctx.signal` after this long; the runner ends the thread a little later. */
  timeoutMs?: number;
  /** What the runner's thread already hashed of the needed jobs' files (hash-cache.ts). */
  knownHashes?: KnownHashes;
}

/**
 * One pool task: jobs a worker runs one after another. Several only when each is tiny and has no
 * time limit, so that a sweep of thousands of tiny jobs does not pay a round trip per job.
 */
export interface JobBatch {
  /** Names the batch on the pool's start channel. */
  id: string;
  jobs: JobTask[];
  /** Whether the worker posts `id` on the pool's start channel when it begins the batch. */
  notifyStart?: boolean;
}

/** A task as the pool hands it to a worker: with the module of its kind, which the worker loads. */
export interface WorkerTask extends JobTask {
  /** The module that defines the kind, relative to src/kinds and without extension. */
  module: string;
}

/** A batch as a worker receives it. */
export interface WorkerBatch extends JobBatch {
  jobs: WorkerTask[];
}

/** A job's error as a worker reports it (an Error does not cross threads whole). */
export type JobError = ErrorFields;

/** What a worker sends back for each job of a batch, in order; a finished job is already in its job folder. */
export type JobReply = (
  | {
      ok: true;
      ms: number /** The worker thread's CPU for the job (Linux). */;
      cpuMs?: number;
      result: unknown;
    }
  | { ok: false; error: JobError }
) & {
  /** What checking the needed jobs' files cost. */
  hashed?: HashCost;
};

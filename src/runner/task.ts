// Messages between the runner and its worker threads (workers/job.ts).
import type { JsonObject, NeededJob } from '../experiments/kind';
import type { JobHeader } from './job-record';

/** One attempt of one job, as sent to a worker. */
export interface JobTask {
  kind: string;
  params: JsonObject;
  /** The attempt's folder, created by the worker; renamed to `jobs/<id>` when the job succeeds. */
  dir: string;
  needs: Record<string, NeededJob>;
  /** Files the job must have written (relative to `dir`) for it to count as finished. */
  publish: string[];
  /** What result.json records besides the result. */
  header: JobHeader;
  /** The worker aborts `ctx.signal` after this long; the runner ends the thread a little later. */
  timeoutMs?: number;
  /** Whether the worker posts `dir` on the pool's start channel when it begins the task. */
  notifyStart?: boolean;
}

/** What a worker sends back for a finished job (result.json is already written). */
export interface JobTaskResult {
  ms: number;
  result: unknown;
}

// Messages between the runner and its worker threads (workers/job.ts).
import type { JsonObject, NeededJob } from '../experiments/kind';

/** One attempt of one job, as sent to a worker. */
export interface JobTask {
  kind: string;
  params: JsonObject;
  /** The attempt's temporary folder, empty; renamed to `jobs/<id>` when the job succeeds. */
  dir: string;
  needs: Record<string, NeededJob>;
  /** The worker aborts `ctx.signal` after this long; the runner ends the thread a little later. */
  timeoutMs?: number;
}

// Transient or deterministic: a failure the environment caused (no room, an I/O error, too many
// open files, a thread killed or out of memory, a time limit) is retried by the next plain run; one
// the job's own code raises stays failed until --rerun-failed or a changed input (a new job id).

/** System error codes of the environment, not of the job's code (worker errors keep their `code`). */
const TRANSIENT_CODES = new Set([
  'ENOSPC',
  'EDQUOT',
  'EROFS',
  'EIO',
  'EMFILE',
  'ENFILE',
  'ENOMEM',
  'EAGAIN',
  'EBUSY',
  'ETIMEDOUT',
  'ERR_WORKER_OUT_OF_MEMORY',
  'ERR_WASM_OUT_OF_MEMORY',
  // A needed job's artifact changed under it: the next run redoes that job, then this one.
  'ERR_ARTIFACT_CHANGED',
]);

/** Codes of failures that another attempt would repeat exactly (a diverged training, a NaN in a table): not retried. */
const NOT_RETRIED_CODES = new Set(['ERR_NON_FINITE', 'ERR_ARTIFACT_CHANGED']);

/** Whether another attempt of the job could end otherwise. */
export function isWorthRetrying(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code !== 'string' || !NOT_RETRIED_CODES.has(code);
}

export type FailureCause = 'transient' | 'deterministic';

/** Whether a job's error (an Error, or the plain object a worker sends back) came from the environment. */
export function isTransientError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT_CODES.has(code);
}

export function causeOf(transient: boolean | undefined): FailureCause {
  return transient ? 'transient' : 'deterministic';
}

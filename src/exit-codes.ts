// Exit codes of run-experiments.
export const EXIT = {
  /** Every job is done. */
  ok: 0,
  /** Some job failed (or was blocked by a failure, or left pending by --fail-fast). */
  failed: 1,
  /** Bad command line or config; nothing was written. */
  usage: 2,
  /** Another live run holds the run folder's lock. */
  locked: 3,
  /** Stopped by SIGINT/SIGTERM; rerun to resume. */
  interrupted: 130,
} as const;

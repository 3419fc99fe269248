// result.json: what a finished job computed, and everything its id was made of, so that
// `status --explain` can say what changed when the same key gets a new id.
// The worker writes it last inside the attempt folder, then renames the folder to `jobs/<id>`,
// so a job folder under its final name always holds a complete result. The worker, not the
// runner, renames: file-system work then runs on the worker threads in parallel instead of
// one after another on the runner's thread, which dispatches every job.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { JsonValue } from '../jobs/kind';
import { writing } from '../files';
import type { PlanJob } from '../plan/build-plan';
import { CODE_VERSION } from '../plan/job-id';
import type { RunFolder } from './run-folder';
import { type ArtifactEntry, listArtifacts } from './verify';

/** Everything of a job's identity and attempt that result.json holds besides the result and its timing. */
export interface JobHeader {
  id: string;
  key: string;
  experiment: string;
  kind: string;
  /** Digest of the kind's code (an older record has a `version` instead). */
  code?: string;
  codeVersion: string;
  params: PlanJob['params'];
  needs: PlanJob['needs'];
  attempt: number;
}

export interface JobRecord extends JobHeader {
  startedAt: string;
  ms: number;
  result: JsonValue;
  /** Every other file of the folder, with size and SHA-256: what a rerun checks before reusing it (verify.ts). */
  artifacts: Record<string, ArtifactEntry>;
}

export function jobHeader(job: PlanJob, attempt: number): JobHeader {
  const { id, key, experiment, kind, code, params, needs } = job;
  return { id, key, experiment, kind, code, codeVersion: CODE_VERSION, params, needs, attempt };
}

/** Typed arrays (transferred from workers) become plain JSON lists. */
function jsonReplacer(_key: string, value: unknown): unknown {
  return ArrayBuffer.isView(value) && !(value instanceof DataView)
    ? Array.from(value as Float64Array) // any typed array: each reads as a list of its numbers
    : value;
}

/** The result as JSON would give it back: what result.json stores and what dependents receive. */
export function normalizeResult(result: unknown): JsonValue {
  if (result === undefined) return null;
  return JSON.parse(JSON.stringify(result, jsonReplacer)) as JsonValue;
}

/**
 * Written by the worker inside the attempt folder, which has no final name yet: no temporary name
 * needed. Lists the folder's artifacts as they are now, so it must come after them.
 */
export function writeRecord(
  dir: string,
  record: Omit<JobRecord, 'result' | 'artifacts'> & { result: unknown },
): void {
  const file = path.join(dir, 'result.json');
  const full = { ...record, result: record.result ?? null, artifacts: listArtifacts(dir) };
  writing(file, () => writeFileSync(file, `${JSON.stringify(full, jsonReplacer, 2)}\n`));
}

/** Renames a finished attempt folder (result.json inside) to its job folder `jobs/<id>`. */
export function commitJob(attemptDir: string, finalDir: string): void {
  try {
    renameSync(attemptDir, finalDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || !existsSync(finalDir)) throw error;
    // --force: move the old result aside first (a kill in between leaves only a missing result: the job reruns).
    const old = path.join(path.dirname(finalDir), `.old-${path.basename(finalDir)}-${process.pid}`);
    renameSync(finalDir, old);
    renameSync(attemptDir, finalDir);
    rmSync(old, { recursive: true, force: true });
  }
}

export function readRecord(folder: RunFolder, id: string): JobRecord | undefined {
  try {
    return JSON.parse(readFileSync(folder.resultFile(id), 'utf8')) as JobRecord;
  } catch {
    return undefined;
  }
}

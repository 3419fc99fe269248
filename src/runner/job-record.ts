// result.json: what a finished job computed, and everything its id was made of, so that
// `status --explain` can say what changed when the same key gets a new id.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { JsonValue } from '../experiments/kind';
import { writeFileAtomic } from '../files';
import type { PlanJob } from '../plan/build-plan';
import { CODE_VERSION } from '../plan/job-id';
import type { RunFolder } from './run-folder';

export interface JobRecord {
  id: string;
  key: string;
  experiment: string;
  kind: string;
  version: string;
  codeVersion: string;
  params: PlanJob['params'];
  needs: PlanJob['needs'];
  attempt: number;
  startedAt: string;
  ms: number;
  result: JsonValue;
}

/** Typed arrays (transferred from workers) become plain JSON lists. */
function jsonReplacer(_key: string, value: unknown): unknown {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) ? Array.from(value as unknown as ArrayLike<number>) : value;
}

/** The result as JSON would give it back: what result.json stores and what dependents receive. */
export function normalizeResult(result: unknown): JsonValue {
  if (result === undefined) return null;
  return JSON.parse(JSON.stringify(result, jsonReplacer)) as JsonValue;
}

/**
 * Writes result.json last inside the attempt folder, then renames the folder to `jobs/<id>`:
 * a job folder under its final name always holds a complete result.
 */
export function commitJob(folder: RunFolder, attemptDir: string, record: JobRecord): void {
  writeFileAtomic(path.join(attemptDir, 'result.json'), `${JSON.stringify(record, null, 2)}\n`);
  const finalDir = folder.jobDir(record.id);
  if (existsSync(finalDir)) {
    // --force: move the old result aside first (a kill in between leaves only a missing result: the job reruns).
    const old = path.join(folder.jobsDir, `.old-${record.id}-${process.pid}`);
    renameSync(finalDir, old);
    renameSync(attemptDir, finalDir);
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(attemptDir, finalDir);
  }
}

export function makeRecord(job: PlanJob, attempt: number, startedAt: Date, ms: number, result: JsonValue): JobRecord {
  return {
    id: job.id,
    key: job.key,
    experiment: job.experiment,
    kind: job.kind,
    version: job.version,
    codeVersion: CODE_VERSION,
    params: job.params,
    needs: job.needs,
    attempt,
    startedAt: startedAt.toISOString(),
    ms,
    result,
  };
}

export function readRecord(folder: RunFolder, id: string): JobRecord | undefined {
  try {
    return JSON.parse(readFileSync(folder.resultFile(id), 'utf8')) as JobRecord;
  } catch {
    return undefined;
  }
}

export function prepareAttemptDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

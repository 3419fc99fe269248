// Runs planned jobs in this process, in order, each in its own temp folder, handing every job
// its needed jobs' results the way the runner does. For testing the gradient jobs on their own.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultsSchema } from '../../src/config/schema';
import { jobKinds } from '../../src/jobs/registry';
import { normalizeResult } from '../../src/runner/job-record';
import type { ExpandContext, JsonValue, NeededJob, PlannedJob } from '../../src/jobs/kind';

export interface RanJob {
  job: PlannedJob;
  dir: string;
  result: JsonValue;
}

const roots: string[] = [];

/** Removes the folders runPlanned made (call from afterAll). */
export function removeRunFolders(): void {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
}

export function expandContext(name: string): ExpandContext {
  return { name, prefix: name, defaults: defaultsSchema.parse({}), modelsOf: () => [] };
}

/** Runs `jobs` (already in dependency order); `onResult` may replace a result before later jobs see it. */
export async function runPlanned(
  jobs: PlannedJob[],
  onResult?: (ran: RanJob) => JsonValue,
): Promise<Map<string, RanJob>> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'probelab-rnn-'));
  roots.push(root);
  const done = new Map<string, RanJob>();
  for (const job of jobs) {
    const kind = jobKinds.find((k) => k.kind === job.kind);
    if (!kind) throw new Error(`no job kind ${job.kind}`);
    const dir = path.join(root, String(done.size));
    mkdirSync(dir);
    const needs: Record<string, NeededJob> = {};
    for (const [name, key] of Object.entries(job.needs ?? {})) {
      const needed = done.get(key)!;
      needs[name] = { id: key, kind: needed.job.kind, dir: needed.dir, result: needed.result };
    }
    const ran: RanJob = {
      job,
      dir,
      // As JSON, the way results travel from a worker to the jobs that need them.
      result: normalizeResult(
        await kind.run(job.params, {
          dir,
          needs,
          cache: new Map(),
          signal: new AbortController().signal,
          progress: () => {},
        }),
      ),
    };
    ran.result = onResult?.(ran) ?? ran.result;
    done.set(job.key, ran);
  }
  return done;
}

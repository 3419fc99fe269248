// Runs an experiment's planned jobs in order in this thread, the way a single worker would:
// one shared cache, each job in its own fresh folder, needs resolved by key. For tests of
// experiments before (and besides) the real runner.
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { defaultsSchema } from '../../src/config/schema';
import { jobKinds } from '../../src/jobs/registry';
import type { ExpandContext, JsonObject, ModelRef, NeededJob, PlannedJob } from '../../src/jobs/kind';
import { jobContext } from './small-model';
import { tempDir } from './temp-dir';

/** `defaults` as a config file gives them; they are validated and filled in as the runner does. */
export function expandContext(
  defaults: JsonObject,
  models: Record<string, ModelRef[]>,
  name = 'occ',
): ExpandContext {
  return {
    name,
    prefix: name,
    defaults: defaultsSchema.parse(defaults),
    modelsOf: (experiment) => {
      const refs = models[experiment];
      if (!refs) throw new Error(`no models of ${experiment}`);
      return refs;
    },
  };
}

/** Runs `jobs` (needs before the jobs needing them, as experiments plan them); `done` holds jobs finished elsewhere, by key. */
export async function runPlanned(
  jobs: PlannedJob[],
  done: Record<string, NeededJob>,
  cache = new Map<string, unknown>(),
): Promise<Record<string, NeededJob>> {
  const finished: Record<string, NeededJob> = { ...done };
  const root = tempDir('probelab-occlusion-');
  for (const [i, job] of jobs.entries()) {
    const kind = jobKinds.find((k) => k.kind === job.kind);
    if (!kind) throw new Error(`unknown job kind ${job.kind}`);
    const needs = Object.fromEntries(
      Object.entries(job.needs ?? {}).map(([name, key]) => {
        if (!finished[key]) throw new Error(`${job.key} needs ${key}, which has not run`);
        return [name, finished[key]];
      }),
    );
    const dir = path.join(root, String(i));
    mkdirSync(dir);
    // Results travel as JSON between worker and runner: do the same round trip here.
    const result = JSON.parse(JSON.stringify(await kind.run(job.params, jobContext(dir, needs, cache))));
    finished[job.key] = { id: `job-${i}`, kind: job.kind, dir, result };
  }
  return finished;
}

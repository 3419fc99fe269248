// Every experiment kind and job kind probelab knows, found by loading every module of src/kinds/:
// a kind registers itself when its module defines it (defineJob, defineExperiment), so adding a
// kind is adding its file. The worker loads only the module a job's task names (kindModuleOf).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { type ExperimentKind, type JobKind, registered } from './kind';

/** The folder of the kinds: src/kinds under ts-jest, dist/src/kinds when built. */
export const KINDS_DIR = path.join(__dirname, '..', 'kinds');

/** Whether this code runs from TypeScript sources (ts-jest) or built JavaScript. */
const SOURCE_EXTENSION = path.extname(__filename);

/** Modules of the kinds folder and its subfolders, relative to it and without extension, sorted. */
export function kindModuleNames(dir = KINDS_DIR): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith(SOURCE_EXTENSION) && !file.endsWith(`.d${SOURCE_EXTENSION}`))
    .map((file) => file.slice(0, -SOURCE_EXTENSION.length).split(path.sep).join('/'))
    .sort();
}

/** The module (relative to the kinds folder, without extension) whose exports hold each job kind. */
const moduleOfJobKind = new Map<string, string>();

function loadKinds(): { experimentKinds: ExperimentKind[]; jobKinds: JobKind[] } {
  for (const name of kindModuleNames()) {
    const moduleExports = require(path.join(KINDS_DIR, name)) as Record<string, unknown>;
    for (const value of Object.values(moduleExports))
      if (value && [...registered.jobs.values()].includes(value as JobKind))
        moduleOfJobKind.set((value as JobKind).kind, name);
  }
  for (const kind of registered.jobs.keys())
    if (!moduleOfJobKind.has(kind))
      throw new Error(`job kind "${kind}" is defined but not exported by its module in ${KINDS_DIR}`);
  const byName = <K extends { kind: string }>(kinds: Iterable<K>) =>
    [...kinds].sort((a, b) => a.kind.localeCompare(b.kind));
  return {
    experimentKinds: byName(registered.experiments.values()),
    jobKinds: byName(registered.jobs.values()),
  };
}

/** Every experiment kind and every job kind, by name. */
export const { experimentKinds, jobKinds } = loadKinds();

/** The module a worker loads to run job kind `kind` (relative to the kinds folder). */
export function kindModuleOf(kind: string): string {
  const name = moduleOfJobKind.get(kind);
  if (name === undefined) throw new Error(`no job kind "${kind}" in ${KINDS_DIR}`);
  return name;
}

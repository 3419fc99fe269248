// A stage's task reads the jobs it needs from the run folders of earlier stages (on a file system
// every node shares): each input is looked for in the folder of the task that ran it, then in the
// merged run folder, and must be intact (artifacts re-hashed). A task never runs another stage's
// job: an input missing or damaged everywhere stops it before anything is written.
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { PlanJob } from '../plan/build-plan';
import { UserError } from '../errors';
import { EXIT } from '../exit-codes';
import { linkOrCopyTree } from './link-tree';
import { RunFolder } from './run-folder';
import { formatShard } from './shard';
import { type Placement, stageFolderName } from './stage';
import { damageIn } from './verify';

/** An input of a task, found intact in `source` (a job folder). */
export interface FoundInput {
  job: PlanJob;
  source: string;
}

/** Inputs of a stage's task that no earlier stage has finished: exit code 2, nothing written. */
export class MissingInputsError extends UserError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/**
 * Finds every input intact, or throws MissingInputsError naming each one missing or damaged,
 * where it was looked for and the command that runs its task.
 */
export function locateInputs(
  inputs: readonly PlanJob[],
  placement: ReadonlyMap<string, Placement>,
  where: { outDir: string; name: string; task: string; rerun: (p: Placement) => string },
): FoundInput[] {
  const found: FoundInput[] = [];
  const missing: string[] = [];
  for (const job of inputs) {
    const place = placement.get(job.id)!;
    const folders = [
      path.join(where.outDir, stageFolderName(where.name, place.stage, place.shard)),
      path.join(where.outDir, where.name),
    ];
    const problems: string[] = [];
    const source = folders.find((dir) => {
      const jobDir = new RunFolder(dir).jobDir(job.id);
      if (!existsSync(path.join(jobDir, 'result.json'))) {
        problems.push(`not in ${dir}`);
        return false;
      }
      const damage = damageIn(jobDir, job, { hashes: true });
      if (damage) problems.push(`${damage} in ${dir}`);
      return !damage;
    });
    if (source) found.push({ job, source: new RunFolder(source).jobDir(job.id) });
    else
      missing.push(
        `  ${job.key} [${job.id}], stage ${place.stage.index}/${place.stage.count} task ${formatShard(place.shard)}: ${problems.join('; ')}\n    run it with: ${where.rerun(place)}`,
      );
  }
  if (missing.length)
    throw new MissingInputsError(
      [
        `${where.task}: ${missing.length} job${missing.length === 1 ? '' : 's'} of earlier stages that this task needs ${missing.length === 1 ? 'is' : 'are'} missing or damaged; a task never runs another stage's jobs:`,
        ...missing,
        'then run this task again.',
      ].join('\n'),
    );
  return found;
}

/** Links each input into the task's folder (replacing an older copy): the run then reuses it as done. */
export function importInputs(found: readonly FoundInput[], folder: RunFolder): void {
  for (const { job, source } of found) {
    const temp = path.join(folder.jobsDir, `.tmp-input-${job.id}`);
    rmSync(temp, { recursive: true, force: true });
    linkOrCopyTree(source, temp);
    rmSync(folder.jobDir(job.id), { recursive: true, force: true });
    renameSync(temp, folder.jobDir(job.id));
  }
}

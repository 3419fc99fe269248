// Copies the files finished jobs list in `publish` to the run's tables/ and figures/ folders,
// under each job's key: `tables/x.csv` of `occlusion/seed=1` → `<run>/tables/occlusion/seed=1/x.csv`.
import { copyFileSync, mkdirSync, readdirSync, renameSync, statSync, utimesSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { PlanJob } from '../plan/build-plan';
import type { RunFolder } from './run-folder';

/** Publishes the files of `jobs`; a copy already up to date (same size and time) is left alone. Returns how many were copied. */
export function publishJobs(folder: RunFolder, jobs: readonly PlanJob[]): number {
  let copied = 0;
  for (const job of jobs) {
    for (const file of job.publish.flatMap((entry) => filesUnder(folder.jobDir(job.id), entry))) {
      const source = path.join(folder.jobDir(job.id), ...file.split('/'));
      const target = folder.publishedFile(job.key, file);
      const sourceStat = statSync(source);
      const targetStat = statOrUndefined(target);
      if (
        targetStat &&
        targetStat.size === sourceStat.size &&
        Math.abs(targetStat.mtimeMs - sourceStat.mtimeMs) < 1
      )
        continue;
      mkdirSync(path.dirname(target), { recursive: true });
      const temp = `${target}.tmp-${process.pid}`;
      copyFileSync(source, temp);
      utimesSync(temp, sourceStat.atimeMs / 1000, sourceStat.mtimeMs / 1000);
      renameSync(temp, target);
      copied++;
    }
  }
  return copied;
}

/**
 * A published entry is a file or a folder whose files are all published (for pictures a job
 * cannot name before it runs, such as one per adversarial placement); paths relative to the job folder.
 */
function filesUnder(jobDir: string, entry: string): string[] {
  const full = path.join(jobDir, ...entry.split('/'));
  if (!statSync(full).isDirectory()) return [entry];
  return readdirSync(full)
    .sort()
    .flatMap((name) => filesUnder(jobDir, `${entry}/${name}`));
}

function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

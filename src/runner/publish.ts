// Copies the files finished jobs list in `publish` to the run's tables/ and figures/ folders,
// under each job's key: `tables/x.csv` of `occlusion/seed=1` → `<run>/tables/occlusion/seed=1/x.csv`.
// Those folders show the current config only: a file no finished job of the plan publishes (an
// experiment since removed, a job that failed this time) is removed. `jobs/` keeps every result.
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  utimesSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import { writing } from '../files';
import type { PlanJob } from '../plan/build-plan';
import { readRecord } from './job-record';
import type { RunFolder } from './run-folder';
import { sha256Of } from './verify';

/** The folders of the run that hold published files (trained models under models/). */
const PUBLISHED_TOPS = ['tables', 'figures', 'models'];

/**
 * Publishes the files of `jobs` (finished jobs); a copy already up to date (same size and time) is
 * left alone. Each new copy is hashed and compared with the SHA-256 its job recorded: a file
 * changed since it was written is not published (`onChanged` hears of it, and the old copy is
 * removed with the unpublished ones). Returns the published paths. Throws a WriteError naming
 * the file it could not write.
 */
export function publishJobs(
  folder: RunFolder,
  jobs: readonly PlanJob[],
  onChanged: (message: string) => void,
): Set<string> {
  const published = new Set<string>();
  for (const job of jobs) {
    const recorded = readRecord(folder, job.id)?.artifacts ?? {};
    for (const file of job.publish.flatMap((entry) => filesUnder(folder.jobDir(job.id), entry))) {
      const source = path.join(folder.jobDir(job.id), ...file.split('/'));
      const target = folder.publishedFile(job.key, file);
      const sourceStat = statSync(source);
      const targetStat = statOrUndefined(target);
      if (
        targetStat &&
        targetStat.size === sourceStat.size &&
        Math.abs(targetStat.mtimeMs - sourceStat.mtimeMs) < 1
      ) {
        published.add(target);
        continue;
      }
      const temp = `${target}.tmp-${process.pid}`;
      const intact = writing(target, () => {
        try {
          mkdirSync(path.dirname(target), { recursive: true });
          copyFileSync(source, temp);
          const expected = recorded[file]?.sha256;
          if (expected !== undefined && sha256Of(temp) !== expected) return false;
          utimesSync(temp, sourceStat.atimeMs / 1000, sourceStat.mtimeMs / 1000);
          renameSync(temp, target);
          return true;
        } finally {
          rmSync(temp, { force: true });
        }
      });
      if (intact) published.add(target);
      else
        onChanged(
          `${file} of ${job.key} changed since it was written (its SHA-256 differs): not published; the next run redoes the job`,
        );
    }
  }
  return published;
}

/** The files `jobs` would publish from their job folders as they are now (jobs without a folder publish nothing). */
export function publishedFiles(folder: RunFolder, jobs: readonly PlanJob[]): Set<string> {
  const files = new Set<string>();
  for (const job of jobs) {
    for (const entry of job.publish) {
      let names: string[];
      try {
        names = filesUnder(folder.jobDir(job.id), entry);
      } catch {
        continue; // not finished: it publishes nothing
      }
      for (const name of names) files.add(folder.publishedFile(job.key, name));
    }
  }
  return files;
}

/** Removes every file under tables/ and figures/ that is not in `keep`, and the folders left empty. Returns how many. */
export function removeUnpublished(folder: RunFolder, keep: ReadonlySet<string>): number {
  let removed = 0;
  const sweep = (dir: string): boolean => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return false;
    }
    let left = names.length;
    for (const name of names) {
      const full = path.join(dir, name);
      const stat = statOrUndefined(full);
      if (stat?.isDirectory()) {
        if (sweep(full)) left--;
      } else if (!keep.has(full)) {
        rmSync(full, { force: true });
        removed++;
        left--;
      }
    }
    if (left > 0) return false;
    rmdirSync(dir);
    return true;
  };
  for (const top of PUBLISHED_TOPS) sweep(path.join(folder.dir, top));
  return removed;
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

// `status --verify`: the slow, full check of a run folder (verify.ts holds the checks themselves).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Journal } from './journal';
import { isLive, readLock } from './lock';
import { RunFolder } from './run-folder';
import { readSavedPlan } from './status';
import { damageOf } from './verify';

/**
 * `status --verify`: re-hashes the artifacts of every finished job of the folder's plan. Each
 * damaged job is journalled (unless a run is live), so that the next run reruns it and its
 * dependents. Returns the lines to print and how many jobs are damaged.
 */
export function verifyRunFolder(runDir: string): { lines: string[]; damaged: number } {
  const folder = new RunFolder(path.resolve(runDir));
  const { jobs } = readSavedPlan(runDir);
  const owner = readLock(folder.lockFile);
  const live = owner !== undefined && isLive(owner);
  const journal = live ? undefined : new Journal(folder.journalFile);
  const lines: string[] = [];
  let checked = 0;
  for (const job of jobs) {
    if (!existsSync(folder.resultFile(job.id))) continue;
    checked++;
    const damage = damageOf(folder, job, { hashes: true });
    if (!damage) continue;
    lines.push(`  ${damage}`);
    journal?.append({ event: 'damaged', id: job.id, key: job.key, kind: job.kind, reason: damage });
  }
  journal?.flush();
  const damaged = lines.length;
  lines.unshift(
    `${folder.dir}: ${checked} finished jobs re-hashed, ${damaged ? `${damaged} damaged:` : 'all intact'}`,
  );
  if (damaged)
    lines.push(
      live
        ? 'a run is live: run again once it ends to rerun these and their dependents'
        : 'the next run reruns these and the jobs made from them',
    );
  return { lines, damaged };
}

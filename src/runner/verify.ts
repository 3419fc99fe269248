// Reuse only what is intact. A finished job's result.json lists every artifact of its folder with
// size and SHA-256 (written by the worker when it commits the job). Before a run reuses a result,
// result.json must parse and name its own id, and each artifact must be there with its recorded
// size and SHA-256. A job checks the folders of the jobs it needs the same way before it loads anything
// from them (verifyNeeds), and publishing checks each copy it makes against the record.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { artifactHash, hashFile } from './hash-cache';
import type { RunFolder } from './run-folder';

export interface ArtifactEntry {
  size: number;
  sha256: string;
}

/** Relative path (with `/`) → size and SHA-256: every file under `dir` but result.json. */
export function listArtifacts(dir: string): Record<string, ArtifactEntry> {
  const artifacts: Record<string, ArtifactEntry> = {};
  const walk = (sub: string) => {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (rel !== 'result.json') {
        const bytes = readFileSync(path.join(dir, rel));
        artifacts[rel] = { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
      }
    }
  };
  walk('');
  return artifacts;
}

/**
 * Why the finished folder of job `id` cannot be reused, as "<file> of <key> <problem>", or
 * undefined when it can. `hashes`: also re-hash every artifact (a run reusing results, and
 * `status --verify`; without it, sizes only, for `status`).
 * Folders written before artifacts were recorded are checked as far as they can be.
 */
export function damageOf(
  folder: RunFolder,
  job: { id: string; key: string },
  options: { hashes?: boolean } = {},
): string | undefined {
  return damageIn(folder.jobDir(job.id), job, options);
}

/** damageOf for the job folder `dir`. */
export function damageIn(
  dir: string,
  job: { id: string; key?: string },
  options: { hashes?: boolean } = {},
): string | undefined {
  const of = (file: string) => `${file} of ${job.key ?? job.id}`;
  let record: { id?: unknown; artifacts?: Record<string, ArtifactEntry> };
  try {
    record = JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${of('result.json')} cannot be read (${code})` : `${of('result.json')} is not valid JSON`;
  }
  if (record === null || typeof record !== 'object') return `${of('result.json')} is not a job record`;
  if (record.id !== job.id)
    return `${of('result.json')} names id ${JSON.stringify(record.id)}, not ${job.id}`;
  for (const [file, recorded] of Object.entries(record.artifacts ?? {})) {
    const full = path.join(dir, ...file.split('/'));
    const size = statSync(full, { throwIfNoEntry: false })?.size;
    if (size === undefined) return `${of(file)} is missing`;
    if (size !== recorded.size) return `${of(file)} has ${size} bytes, ${recorded.size} when it was written`;
    if (options.hashes && artifactHash(dir, file) !== recorded.sha256)
      return `${of(file)} changed since it was written (its SHA-256 differs)`;
  }
  return undefined;
}

export function sha256Of(file: string): string {
  return hashFile(file);
}

/** A needed job's folder changed since it was written: the job does not load it; the next run redoes it. */
export class ArtifactChangedError extends Error {
  override name = 'ArtifactChangedError';
  readonly code = 'ERR_ARTIFACT_CHANGED';
}

/**
 * The one check before a job loads anything another job wrote: every artifact of every needed
 * job's folder has its recorded size and SHA-256. Throws an ArtifactChangedError naming the file.
 */
export function verifyNeeds(needs: Record<string, { id: string; key?: string; dir: string }>): void {
  for (const need of Object.values(needs)) {
    const damage = damageIn(need.dir, need, { hashes: true });
    if (damage) throw new ArtifactChangedError(`${damage}: not loaded; the next run redoes that job`);
  }
}

// Hashing the artifacts a run checks, once per thread while a file stays the same, and what it
// costs. A run re-hashes every artifact it reuses (at its start) and every artifact a job needs
// (before the job loads it): without memory, a model needed by 400 probe jobs is read 400 times
// more. A file's hash is kept with its stat signature (inode, size, modification and change times
// in ns), as git's index keeps them: any write, rename or restored mtime changes the signature, and
// the file is read again. A file changed less than SETTLE_MS before it was read is not kept: it
// could change again within the same timestamp tick unseen (git's "racily clean" entries).
import { createHash } from 'node:crypto';
import { type BigIntStats, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Files read and hashed, their bytes and the time it took (ms). */
export interface HashCost {
  files: number;
  bytes: number;
  ms: number;
}

/** A file's hash while its stat signature holds. */
export interface KnownHash {
  signature: string;
  sha256: string;
}

/** Folder → file in it (relative, with `/`) → its known hash: what a task carries to its worker. */
export type KnownHashes = Record<string, Record<string, KnownHash>>;

const SETTLE_MS = 2000;

/** This thread's memory of artifact hashes: folder → file → hash. */
const known = new Map<string, Map<string, KnownHash>>();
const spent: HashCost = { files: 0, bytes: 0, ms: 0 };

function signatureOf(stat: BigIntStats): string {
  return `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
}

/** SHA-256 of a file, always read; counted in this thread's cost. */
export function hashFile(file: string): string {
  const started = performance.now();
  const bytes = readFileSync(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  spent.files++;
  spent.bytes += bytes.length;
  spent.ms += performance.now() - started;
  return sha256;
}

/** SHA-256 of artifact `rel` of job folder `dir`: remembered while the file is unchanged, else read. */
export function artifactHash(dir: string, rel: string): string {
  const file = path.join(dir, ...rel.split('/'));
  const before = statSync(file, { bigint: true });
  const signature = signatureOf(before);
  const inDir = known.get(dir);
  const kept = inDir?.get(rel);
  if (kept?.signature === signature) return kept.sha256;
  const sha256 = hashFile(file);
  const settled = Date.now() - Number(before.ctimeNs / 1_000_000n) > SETTLE_MS;
  if (settled && signatureOf(statSync(file, { bigint: true })) === signature) {
    if (inDir) inDir.set(rel, { signature, sha256 });
    else known.set(dir, new Map([[rel, { signature, sha256 }]]));
  } else inDir?.delete(rel);
  return sha256;
}

/** What this thread knows of the files of these job folders (sent with a task to its worker). */
export function knownHashes(dirs: Iterable<string>): KnownHashes {
  const out: KnownHashes = {};
  for (const dir of dirs) {
    const inDir = known.get(dir);
    if (inDir?.size) out[dir] = Object.fromEntries(inDir);
  }
  return out;
}

/** Takes in what another thread knows (its signatures still decide whether a file is read again). */
export function rememberHashes(hashes: KnownHashes): void {
  for (const [dir, files] of Object.entries(hashes)) {
    const inDir = known.get(dir) ?? new Map<string, KnownHash>();
    for (const [rel, hash] of Object.entries(files)) inDir.set(rel, hash);
    known.set(dir, inDir);
  }
}

/** This thread's hashing so far. */
export function hashCost(): HashCost {
  return { ...spent };
}

export function costSince(before: HashCost): HashCost {
  return { files: spent.files - before.files, bytes: spent.bytes - before.bytes, ms: spent.ms - before.ms };
}

export function addCost(total: HashCost, more: HashCost): void {
  total.files += more.files;
  total.bytes += more.bytes;
  total.ms += more.ms;
}

/** "re-hashed 40 files (4.5 MB) in 12 ms: 30 reused (…), 8 needed by jobs (…), 2 published (…)" */
export function formatHashing(hashing: Record<'reused' | 'needed' | 'published', HashCost>): string {
  const total: HashCost = { files: 0, bytes: 0, ms: 0 };
  for (const cost of Object.values(hashing)) addCost(total, cost);
  const of = (cost: HashCost) =>
    `${cost.files} files, ${(cost.bytes / 1e6).toFixed(1)} MB, ${Math.round(cost.ms)} ms`;
  return `re-hashed ${of(total)}: reused ${of(hashing.reused)}; needed by jobs ${of(hashing.needed)}; published ${of(hashing.published)}`;
}

// Planning-time check of a folder of IDX files: every file is read and validated once (magic
// numbers, sizes, matching counts, label range), and its SHA-256 becomes part of the ids of the
// jobs that use it. A file already checked, with the same path, size, modification and change
// times and inode (as git's index compares them: a rewrite that restores size and mtime still
// changes the ctime), is taken from the cache without being read again, so a large data set
// costs nothing on reruns.
import { createHash } from 'node:crypto';
import { readFileSync, type Stats, statSync } from 'node:fs';
import path from 'node:path';
import { FILES, findFile, loadIdxFolder, readDataFile } from './datasets';

export interface CachedHash {
  size: number;
  mtimeMs: number;
  /** Change time and inode too, as git's index keeps them: a rewrite that restores the size and mtime still changes these. */
  ctimeMs: number;
  ino: number;
  sha256: string;
}

/** Absolute path → what it held when it was last checked. */
export type DataHashCache = Record<string, CachedHash>;

/** Base name (as the folder names it, `.gz` included) → SHA-256 of the file's bytes. */
export type FolderHashes = Record<string, string>;

/**
 * Validates the four IDX files of `dir` (throws a DataError naming the file and the first
 * offending index) and returns their hashes. `cache` is read and updated in place.
 */
export function checkIdxFolder(dir: string, cache: DataHashCache): FolderHashes {
  const files = Object.values(FILES).map((base) => findFile(dir, base));
  const stats = files.map((file) => statSync(file));
  const known = files.map((file, i) => {
    const entry = cache[file];
    return entry && sameFile(entry, stats[i]) ? entry : undefined;
  });
  // Any file new or changed: validate the whole folder (counts and sizes are checked across files).
  if (known.some((entry) => !entry)) loadIdxFolder(dir);
  const hashes: FolderHashes = {};
  files.forEach((file, i) => {
    const sha256 = known[i]?.sha256 ?? createHash('sha256').update(readDataFile(file)).digest('hex');
    const { size, mtimeMs, ctimeMs, ino } = stats[i];
    cache[file] = { size, mtimeMs, ctimeMs, ino, sha256 };
    hashes[path.basename(file)] = sha256;
  });
  return hashes;
}

function sameFile(entry: CachedHash, stat: Stats): boolean {
  return (
    entry.size === stat.size &&
    entry.mtimeMs === stat.mtimeMs &&
    entry.ctimeMs === stat.ctimeMs &&
    entry.ino === stat.ino
  );
}

/** The cache file as a previous run wrote it; anything unreadable is an empty cache (it only saves time). */
export function readHashCache(file: string): DataHashCache {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as DataHashCache)
      : {};
  } catch {
    return {};
  }
}

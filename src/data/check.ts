// Planning-time check of a folder of IDX files: every file is read and validated once (magic
// numbers, sizes, matching counts, label range), and its SHA-256 becomes part of the ids of the
// jobs that use it. A file already checked, with the same path, size, modification and change
// times and inode (as git's index compares them: a rewrite that restores size and mtime still
// changes the ctime), is taken from the cache without being read again, so a large data set
// costs nothing on reruns.
import { createHash } from 'node:crypto';
import { readFileSync, type Stats, statSync } from 'node:fs';
import path from 'node:path';
import { readDataFile } from './data-file';
import { type Dataset, FILES, findFile, loadDataset, loadIdxFolder } from './datasets';
import type { DataSpec } from './spec';

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

/**
 * Validates the image folders of a "folder" data spec (every image decoded, one size, the same
 * classes in both) and returns one digest per folder: SHA-256 over each image's relative path and
 * SHA-256, so renaming, replacing, adding or removing an image changes it.
 */
export function checkImageFolders(spec: DataSpec, cache: DataHashCache): FolderHashes {
  const data = plannedFolderData(spec);
  if (spec.trainDir) void data.train; // reading the training split checks it
  const hashes: FolderHashes = { test: folderDigest(path.resolve(spec.dir!), cache) };
  if (spec.trainDir) hashes.train = folderDigest(path.resolve(spec.trainDir), cache);
  return hashes;
}

const plannedFolders = new Map<string, Dataset>();

/**
 * An image-folder data set as planning reads it, decoded once per process: the check above and
 * the test labels, size and channels the kinds plan with (occlusion/test-labels.ts) share it.
 */
export function plannedFolderData(spec: DataSpec): Dataset {
  const key = JSON.stringify(spec);
  let data = plannedFolders.get(key);
  if (!data) {
    data = loadDataset(spec);
    plannedFolders.set(key, data);
  }
  return data;
}

function folderDigest(dir: string, cache: DataHashCache): string {
  // Required here, not imported: the image decoders load only for configs that read image folders.
  const { listImageFolder } = require('./image-folder') as typeof import('./image-folder');
  const digest = createHash('sha256');
  for (const file of listImageFolder(dir).files.flat())
    digest.update(`${file}\0${fileHash(path.join(dir, file), cache)}\n`);
  return digest.digest('hex');
}

/** SHA-256 of a file, from the cache when its size, times and inode are unchanged. */
function fileHash(file: string, cache: DataHashCache): string {
  const stat = statSync(file);
  const entry = cache[file];
  if (entry && sameFile(entry, stat)) return entry.sha256;
  const sha256 = createHash('sha256').update(readDataFile(file)).digest('hex');
  const { size, mtimeMs, ctimeMs, ino } = stat;
  cache[file] = { size, mtimeMs, ctimeMs, ino, sha256 };
  return sha256;
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

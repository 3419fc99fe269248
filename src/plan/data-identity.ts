// The data a config reads, checked at planning (exit code 2 before any job runs) and turned into
// content: a job's `params.data` of source "idx" enters its id as the SHA-256 of each file, and
// of source "folder" as a digest of each folder's images, not as the folder's path. Replacing a file reruns what used it; moving the same files reruns nothing.
// The bundled MNIST is identified by its name: its files are checksummed against the official ones.
import path from 'node:path';
import type { ValidConfig } from '../config/validate';
import { ConfigError, formatPath } from '../config-errors';
import { checkIdxFolder, checkImageFolders, type DataHashCache, type FolderHashes } from '../data/check';
import { DataError } from '../data/idx';
import type { DataSpec } from '../data/spec';
import type { JsonObject, JsonValue } from '../jobs/kind';

/** Resolved folder(s) (dataKey) → hashes of its IDX files or digests of its image folders. */
export type DataFolders = ReadonlyMap<string, FolderHashes>;

/**
 * Checks every IDX folder the config names (in `defaults.data` or an experiment's `data`);
 * throws a ConfigError naming the config field, the data file and what is wrong in it.
 */
export function checkConfigData(config: ValidConfig, cache: DataHashCache = {}): DataFolders {
  const uses: { where: string; spec: unknown }[] = [{ where: 'defaults.data', spec: config.defaults.data }];
  for (const experiment of config.experiments)
    for (const point of experiment.points)
      uses.push({
        where: formatPath(['experiments', experiment.index, 'data']),
        spec: (point.config as { data?: unknown }).data,
      });
  const folders = new Map<string, FolderHashes>();
  for (const { where, spec } of uses) {
    const key = dataKey(spec);
    if (key === undefined || folders.has(key)) continue;
    try {
      const data = spec as DataSpec;
      folders.set(
        key,
        data.source === 'folder' ? checkImageFolders(data, cache) : checkIdxFolder(key, cache),
      );
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      throw new ConfigError(config.file, [{ path: where, message: error.message }]);
    }
  }
  return folders;
}

/**
 * The resolved folder of an IDX data spec (as the workers resolve it), or the folders and channel
 * setting of image folders, else (the bundled MNIST) undefined.
 */
function dataKey(spec: unknown): string | undefined {
  const data = spec as Partial<DataSpec> | undefined;
  if (typeof data?.dir !== 'string') return undefined;
  if (data.source === 'idx') return path.resolve(data.dir);
  if (data.source !== 'folder') return undefined;
  const train = typeof data.trainDir === 'string' ? path.resolve(data.trainDir) : '';
  return JSON.stringify([path.resolve(data.dir), train, data.channels ?? null]);
}

/** The params a job's id is made of: its data folders replaced by the hashes of the files in them. */
export function identityParams(params: JsonObject, folders: DataFolders): JsonObject {
  const key = dataKey(params.data);
  if (key === undefined) return params;
  const hashes = folders.get(key);
  if (!hashes) throw new Error(`data folder ${key} was not checked at planning`);
  const { dir: _dir, trainDir: _trainDir, ...rest } = params.data as JsonObject;
  return { ...params, data: { ...rest, files: hashes as Record<string, JsonValue> } };
}

// The data a config reads, checked at planning (exit code 2 before any job runs) and turned into
// content: a job's `params.data` of source "idx" enters its id as the SHA-256 of each file, not as
// the folder's path. Replacing a file reruns what used it; moving the same files reruns nothing.
// The bundled MNIST is identified by its name: its files are checksummed against the official ones.
import path from 'node:path';
import type { ValidConfig } from '../config/validate';
import { ConfigError, formatPath } from '../config-errors';
import { checkIdxFolder, type DataHashCache, type FolderHashes } from '../data/check';
import { DataError } from '../data/idx';
import type { DataSpec } from '../data/spec';
import type { JsonObject, JsonValue } from '../jobs/kind';

/** Resolved folder → hashes of its IDX files. */
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
    const dir = idxFolder(spec);
    if (dir === undefined || folders.has(dir)) continue;
    try {
      folders.set(dir, checkIdxFolder(dir, cache));
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      throw new ConfigError(config.file, [{ path: where, message: error.message }]);
    }
  }
  return folders;
}

/** The resolved folder of an IDX data spec (as the workers resolve it), else undefined. */
function idxFolder(spec: unknown): string | undefined {
  const data = spec as Partial<DataSpec> | undefined;
  return data?.source === 'idx' && typeof data.dir === 'string' ? path.resolve(data.dir) : undefined;
}

/** The params a job's id is made of: its `data.dir` replaced by the hashes of the files in it. */
export function identityParams(params: JsonObject, folders: DataFolders): JsonObject {
  const dir = idxFolder(params.data);
  if (dir === undefined) return params;
  const hashes = folders.get(dir);
  if (!hashes) throw new Error(`data folder ${dir} was not checked at planning`);
  const { dir: _dir, ...rest } = params.data as JsonObject;
  return { ...params, data: { ...rest, files: hashes as Record<string, JsonValue> } };
}

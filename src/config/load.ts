// Loading a config: read, parse, validate. Every failure is a ConfigError (exit code 2).
import path from 'node:path';
import { applyOverrides, parseOverride } from './overrides';
import { readConfigFile } from './parse-file';
import { type ConfigKind, validateConfig, type ValidConfig } from './validate';

export interface LoadedConfig<K extends ConfigKind = ConfigKind> extends ValidConfig<K> {
  /** The file's contents as read (JSON or YAML alike): what a run keeps as `<run folder>/config.json`. */
  contents: unknown;
}

/**
 * `file` (relative to `cwd`) is shown in messages as given, so pass it the way the user wrote it.
 * `kinds`: the experiment kinds a config may use (jobs/registry.ts's experimentKinds).
 * `overrides` (`field=value`, from the command line) change the contents before validation.
 */
export function loadConfig<K extends ConfigKind>(
  file: string,
  kinds: readonly K[],
  cwd = process.cwd(),
  overrides: readonly string[] = [],
): LoadedConfig<K> {
  const read = readConfigFile(file, cwd);
  const contents = overrides.length
    ? applyOverrides(
        read,
        overrides.map((text) => parseOverride(text, file)),
        file,
      )
    : read;
  const dir = path.dirname(path.resolve(cwd, file));
  return { ...resolvePaths(validateConfig(contents, file, kinds), dir, contents), contents, dir };
}

/**
 * Every relative path a config holds starts at the config file's folder, as `model.file` does:
 * `data.dir` and `data.trainDir` (in defaults and in each experiment) and `defaults.outputDir`
 * when the file sets it.
 * The built-in output folder, `outputs`, and `--out` stay relative to the working folder.
 */
function resolvePaths<C extends ValidConfig<ConfigKind>>(config: C, dir: string, contents: unknown): C {
  const against = (p: string) => path.resolve(dir, p);
  const resolveData = (data: { dir?: string; trainDir?: string } | undefined) => {
    if (data?.dir) data.dir = against(data.dir);
    if (data?.trainDir) data.trainDir = against(data.trainDir);
  };
  resolveData(config.defaults.data);
  const setsOutput =
    (contents as { defaults?: { outputDir?: unknown } } | null)?.defaults?.outputDir !== undefined;
  if (setsOutput) config.defaults.outputDir = against(config.defaults.outputDir);
  for (const experiment of config.experiments)
    for (const point of experiment.points) {
      resolveData((point.config as { data?: { dir?: string; trainDir?: string } } | null)?.data);
    }
  return config;
}

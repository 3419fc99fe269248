// Loading a config: read, parse, validate. Every failure is a ConfigError (exit code 2).
import path from 'node:path';
import { readConfigFile } from './parse-file';
import { type ConfigKind, validateConfig, type ValidConfig } from './validate';

export interface LoadedConfig<K extends ConfigKind = ConfigKind> extends ValidConfig<K> {
  /** The file's contents as read (JSON or YAML alike): what a run keeps as `<run folder>/config.json`. */
  contents: unknown;
}

/**
 * `file` (relative to `cwd`) is shown in messages as given, so pass it the way the user wrote it.
 * `kinds`: the experiment kinds a config may use (jobs/registry.ts's experimentKinds).
 */
export function loadConfig<K extends ConfigKind>(
  file: string,
  kinds: readonly K[],
  cwd = process.cwd(),
): LoadedConfig<K> {
  const contents = readConfigFile(file, cwd);
  return { ...validateConfig(contents, file, kinds), contents, dir: path.dirname(path.resolve(cwd, file)) };
}

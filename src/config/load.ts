// Loading a config: read, parse, validate. Every failure is a ConfigError (exit code 2).
import path from 'node:path';
import { experimentKinds } from '../jobs/registry';
import type { ExperimentKind } from '../jobs/kind';
import { readConfigFile } from './parse-file';
import { validateConfig, type ValidConfig } from './validate';

export interface LoadedConfig extends ValidConfig {
  /** The file's contents as read (JSON or YAML alike): what a run keeps as `<run folder>/config.json`. */
  contents: unknown;
}

/** `file` (relative to `cwd`) is shown in messages as given, so pass it the way the user wrote it. */
export function loadConfig(
  file: string,
  kinds: readonly ExperimentKind[] = experimentKinds,
  cwd = process.cwd(),
): LoadedConfig {
  const contents = readConfigFile(file, cwd);
  return { ...validateConfig(contents, file, kinds), contents, dir: path.dirname(path.resolve(cwd, file)) };
}

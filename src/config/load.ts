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
  return { ...validateConfig(contents, file, kinds), contents, dir: path.dirname(path.resolve(cwd, file)) };
}

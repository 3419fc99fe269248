// Loading a config: read, parse, validate. Every failure is a ConfigError (exit code 2).
import { experimentKinds } from '../experiments/index';
import type { ExperimentKind } from '../experiments/kind';
import { readConfigFile } from './parse-file';
import { validateConfig, type ValidConfig } from './validate';

/** `file` (relative to `cwd`) is shown in messages as given, so pass it the way the user wrote it. */
export function loadConfig(file: string, kinds: readonly ExperimentKind[] = experimentKinds, cwd = process.cwd()): ValidConfig {
  return validateConfig(readConfigFile(file, cwd), file, kinds);
}

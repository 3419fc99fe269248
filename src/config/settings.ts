// The run's settings, each written once: the command line wins, then the config's `defaults`,
// then the built-in value here.
import os from 'node:os';

/** Built-in values of the settings a config's `defaults` and the command line may leave out. */
export const BUILT_IN = {
  retries: 1,
  outputDir: 'outputs',
} as const;

export interface RunSettings {
  workers: number;
  retries: number;
  timeoutMs?: number;
  workerMemoryMb?: number;
}

export function runSettings(
  flags: { workers?: number; retries?: number; timeoutSeconds?: number; workerMemoryMb?: number },
  /** The config's `defaults` (schema.ts), of which these four are run settings. */
  defaults: { workers?: number; retries?: number; timeoutSeconds?: number; workerMemoryMb?: number },
): RunSettings {
  const timeoutSeconds = flags.timeoutSeconds ?? defaults.timeoutSeconds;
  return {
    workers: flags.workers ?? defaults.workers ?? os.availableParallelism(),
    retries: flags.retries ?? defaults.retries ?? BUILT_IN.retries,
    timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
    workerMemoryMb: flags.workerMemoryMb ?? defaults.workerMemoryMb,
  };
}

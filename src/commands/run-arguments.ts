// What the run command checks of its positional arguments, and --print-config.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load';
import { experimentKinds } from '../jobs/registry';
import { UsageError } from '../errors';
import { didYouMean } from '../suggest';

const CONFIG_EXTENSIONS = ['.json', '.yaml', '.yml'];

/**
 * `stauts outputs/all` reaches the run command as config "stauts": when the config is no file
 * and has no config extension, it was meant as a command (`commands`: the known command names).
 */
export function checkConfigArgument(config: string, commands: readonly string[]): void {
  const looksLikeConfig =
    CONFIG_EXTENSIONS.includes(path.extname(config).toLowerCase()) || existsSync(config);
  if (looksLikeConfig) return;
  const hint = didYouMean(config, commands);
  throw new UsageError(
    `unknown command or config "${config}"${hint || ' (a config is a .json, .yaml or .yml file)'}\n\n(run-experiments --help lists the commands and options)`,
  );
}

/** Every argument after the config must be an override. */
export function checkOverrides(overrides: readonly string[]): void {
  for (const override of overrides)
    if (!/^[^=\s-][^=\s]*=/.test(override))
      throw new Error(
        `"${override}" is not a field=value override (e.g. defaults.training.epochs=3); to name several experiments, write --only a,b`,
      );
}

/** --print-config: the config's contents as a run would read them (overrides applied), as JSON. */
export function printConfig(config: string, overrides: readonly string[] = []): void {
  const loaded = loadConfig(config, experimentKinds, process.cwd(), overrides);
  process.stdout.write(`${JSON.stringify(loaded.contents, null, 2)}\n`);
}

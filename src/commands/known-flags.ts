// The flags a command accepts, read from its own yargs builder, for "did you mean --workers?".
import yargs, { type CommandModule } from 'yargs';
import { commands } from './index';

/** The first word of each command, e.g. `status` (not the default command's `$0`). */
export function commandNames(): string[] {
  return commands.flatMap((command) =>
    [command.command ?? []]
      .flat()
      .map((c) => String(c).split(' ')[0])
      .filter((name) => name !== '$0'),
  );
}

/** The command the user named in `argv` (default: run), by its first word. */
export function commandOf(argv: readonly string[]): CommandModule<object, unknown> {
  const names = (command: CommandModule<object, unknown>) =>
    [command.command ?? []].flat().map((c) => String(c).split(' ')[0]);
  const named = commands.find((command) => argv.some((arg) => names(command).includes(arg)));
  return named ?? commands.find((command) => names(command).includes('$0')) ?? commands[0];
}

/** Every `--flag` of `command`, dashed as typed (`rerun-failed`, not `rerunFailed`). */
export function knownFlags(command: CommandModule<object, unknown>): string[] {
  const parser = yargs([]);
  if (typeof command.builder === 'function') command.builder(parser);
  // yargs has getOptions() at run time but leaves it out of its types.
  const keys = Object.keys((parser as unknown as { getOptions(): { key: object } }).getOptions().key);
  return [...new Set([...keys, 'help', 'version'])].filter((key) => !/[A-Z]/.test(key));
}

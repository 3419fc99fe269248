#!/usr/bin/env node
// run-experiments: the command line. Each command is a module in src/commands/. Errors the user
// can act on (UserError: config, usage, lock) are printed here, once for every command, and end
// the program with their own exit code; anything else is a bug and keeps its stack.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands/index';
import { describeCommand } from './commands/describe';
import { kindsCommand } from './commands/kinds';
import { statusCommand } from './commands/status';
import { commandNames, commandOf, knownFlags } from './commands/known-flags';
import { checkConfigArgument } from './commands/run-arguments';
import { describeError, UserError } from './errors';
import { packageVersion } from './package-root';
import { didYouMean } from './suggest';
import { EXIT } from './exit-codes';
import { createRunLogger, type LogFormat } from './runner/log';

/** Where errors go: the command's --log format and --log-file, once its options are parsed. */
let errorLog: { format: LogFormat; file?: string } = { format: 'text' };

async function main(): Promise<void> {
  let cli = yargs(hideBin(process.argv))
    .scriptName('run-experiments')
    .usage('$0 <config> [field=value ...] [options]   run a config\n$0 <command> [options]')
    .strict()
    .help()
    .version(packageVersion())
    .alias('version', 'V')
    .epilogue(
      [
        'Exit codes:',
        `  ${EXIT.ok}    every job is done`,
        `  ${EXIT.failed}    some jobs failed (or were blocked by a failure); the rest finished — see summary.json`,
        `  ${EXIT.usage}    usage or config error; nothing was run`,
        `  ${EXIT.locked}    another run holds the run folder (its lock file)`,
        `  ${EXIT.interrupted}  stopped by SIGINT/SIGTERM; run again to resume`,
      ].join('\n'),
    )
    .wrap(Math.min(110, process.stdout.columns || 110))
    .middleware((argv) => {
      errorLog = { format: argv.log === 'json' ? 'json' : 'text', file: argv.logFile as string | undefined };
    })
    // Before the run command's checks: a config that is no file and looks like no config was a command.
    .middleware((argv) => {
      const running = argv._.length === 0 || argv._[0] === 'run';
      if (running && typeof argv.config === 'string') checkConfigArgument(argv.config, commandNames());
    }, true)
    .fail((failure, error) => {
      // yargs passes a message for bad usage (including .check failures); an error alone is thrown by a command.
      if (!failure && error) throw error;
      const message = withSuggestions(failure);
      if (wantsJsonLog(process.argv))
        createRunLogger('json').event('run-error', { exitCode: EXIT.usage, error: message }, 'error');
      else process.stderr.write(`${message}\n\n(run-experiments --help lists the commands and options)\n`);
      process.exit(EXIT.usage);
    });
  for (const command of commands) cli = cli.command(command);
  await cli.parseAsync();
}

/**
 * A flag the command does not know is named first, with the nearest known one: `--worker 2`
 * → `unknown flag --worker (did you mean --workers?)`, also when yargs failed on what followed
 * from it (`status --explian x` leaves status without its folder).
 */
function withSuggestions(message: string): string {
  const argv = hideBin(process.argv);
  const flags = knownFlags(commandOf(argv));
  const typed = argv
    .filter((arg) => arg.startsWith('--') && arg.length > 2)
    .map((arg) => arg.slice(2).split('=')[0])
    .filter((flag) => !flags.includes(flag) && !flags.includes(flag.replace(/^no-/, '')));
  if (typed.length)
    return typed
      .map((flag) => `unknown flag --${flag}${didYouMean(flag, flags, (f) => `--${f}`)}`)
      .join('\n');
  const unknown = /^Unknown arguments?: (.*)$/.exec(message);
  if (!unknown) return message;
  return unknown[1]
    .split(', ')
    .map((word) => `unexpected argument "${word}"`)
    .join('\n');
}

/** --log json was asked for: usage errors, found before the options are parsed, are JSON lines too. */
function wantsJsonLog(argv: string[]): boolean {
  return argv.some((arg, i) => arg === '--log=json' || (arg === '--log' && argv[i + 1] === 'json'));
}

/**
 * A reader that stopped reading (`run-experiments kinds | head -1`): a command that only prints
 * ends quietly with exit code 0, as git and npm do; one that writes results (a run, merge, report)
 * goes on without its log, which is also in its run folder, and ends with its own exit code.
 */
function onClosedStdout(): void {
  const printsOnly = [statusCommand, kindsCommand, describeCommand].includes(
    commandOf(hideBin(process.argv)),
  );
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') return reportAndExit(error);
    if (printsOnly) process.exit(EXIT.ok);
    process.stdout.write = () => true;
  });
}

main().catch(reportError);
// Whatever escapes a command outside main's promise (an error thrown from a callback) takes the same
// path, and ends the program as Node would: its state can no longer be trusted.
const reportAndExit = (error: unknown) => {
  reportError(error);
  process.exit();
};
process.on('uncaughtException', reportAndExit);
process.on('unhandledRejection', reportAndExit);
onClosedStdout();

/** The one error path: one line for the user, never a stack trace (PROBELAB_DEBUG=1 adds it). */
function reportError(error: unknown): void {
  const exitCode = error instanceof UserError ? error.exitCode : EXIT.failed;
  const message =
    error instanceof UserError
      ? error.message
      : `run-experiments: unexpected error: ${describeError(error)} (a bug: please report it; PROBELAB_DEBUG=1 shows where it happened)`;
  if (errorLog.format === 'json')
    createRunLogger('json', errorLog.file).event('run-error', { exitCode, error: message }, 'error');
  else process.stderr.write(`${message}\n`);
  if (process.env.PROBELAB_DEBUG && error instanceof Error && error.stack)
    process.stderr.write(`${error.stack}\n`);
  process.exitCode = exitCode;
}

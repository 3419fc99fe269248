#!/usr/bin/env node
// run-experiments: the command line. Each command is a module in src/commands/.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands/index';
import { EXIT } from './runner/exit-codes';

async function main(): Promise<void> {
  let cli = yargs(hideBin(process.argv))
    .scriptName('run-experiments')
    .usage('$0 <config> [options]   run a config\n$0 <command> [options]')
    .strict()
    .help()
    .version(false)
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
    .fail((message, error) => {
      // yargs passes a message for bad usage (including .check failures); an error alone is a bug.
      if (!message && error) throw error;
      if (wantsJsonLog(process.argv))
        process.stderr.write(
          `${JSON.stringify({ at: new Date().toISOString(), level: 'error', event: 'run-error', exitCode: EXIT.usage, error: message })}\n`,
        );
      else process.stderr.write(`${message}\n\n(run-experiments --help lists the commands and options)\n`);
      process.exit(EXIT.usage);
    });
  for (const command of commands) cli = cli.command(command);
  await cli.parseAsync();
}

/** --log json was asked for: usage errors, found before the logger exists, are JSON lines too. */
function wantsJsonLog(argv: string[]): boolean {
  return argv.some((arg, i) => arg === '--log=json' || (arg === '--log' && argv[i + 1] === 'json'));
}

main().catch((error: unknown) => {
  // Reaching here is a bug, not bad input: keep the stack.
  process.stderr.write(
    `run-experiments: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = EXIT.failed;
});

// `run-experiments status <run folder> [--explain <job>]`: what is done, failed, pending, and why.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { typedArgs } from './typed-args';
import { explainJob } from '../runner/explain';
import { formatLive, readLiveRun } from '../runner/live-run';
import { formatStatus } from '../runner/status';
import { verifyRunFolder } from '../runner/verify-folder';
import { EXIT } from '../exit-codes';

interface StatusArgs {
  runFolder: string;
  explain?: string;
  config?: string;
  verify: boolean;
}

/** The folder's counts, and while a run is live its running jobs and ETA. */
function statusLines(runFolder: string): string[] {
  const live = readLiveRun(runFolder);
  return formatStatus(live, live.liveRun ? formatLive(live) : []);
}

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status <run-folder>',
  describe:
    'Counts per job kind and state, each failure with its error, the jobs running now and the ETA; --explain says why a job will or will not run again',
  builder: (yargs: Argv) =>
    typedArgs<StatusArgs>(
      yargs
        .positional('run-folder', {
          type: 'string',
          demandOption: true,
          describe: 'A run folder, e.g. outputs/smoke',
        })
        .option('explain', { type: 'string', describe: 'Key or id (or id prefix) of a job' })
        .option('verify', {
          type: 'boolean',
          default: false,
          describe:
            "Re-hash every finished job's files against its result.json; damaged jobs (exit code 1) rerun, with their dependents, on the next run",
        })
        .option('config', {
          type: 'string',
          describe: 'With --explain: compare with this config instead of the one the run used',
        })
        .example('$0 status outputs/all', 'counts per kind and state, each failure with its error')
        .example(
          '$0 status outputs/all --explain occlusion/seed=1/image=11',
          'why that job will (not) run again',
        )
        .example('$0 status outputs/all --verify', "re-hash every finished job's files"),
    ),
  handler: (argv: ArgumentsCamelCase<StatusArgs>) => {
    if (argv.verify) {
      const { lines, damaged } = verifyRunFolder(argv.runFolder);
      process.stdout.write(`${lines.join('\n')}\n`);
      process.exitCode = damaged ? EXIT.failed : EXIT.ok;
      return;
    }
    const lines = argv.explain
      ? explainJob(argv.runFolder, argv.explain, { config: argv.config })
      : statusLines(argv.runFolder);
    process.stdout.write(`${lines.join('\n')}\n`);
  },
};

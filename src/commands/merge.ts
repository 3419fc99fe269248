// `run-experiments merge <folders…> --out <folder>`: one run folder (tables, figures, summary,
// journal, plan, report) from the run folders of a config's shards.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { typedArgs } from './typed-args';
import { buildReportAfterRun } from '../report/build-report';
import { mergeRuns } from '../runner/merge';

interface MergeArgs {
  folders: string[];
  out: string;
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <folders..>',
  describe:
    'Merge the run folders of shards (--shard k/n) into one run folder: tables, figures, summary, journal and report',
  builder: (yargs: Argv) =>
    typedArgs<MergeArgs>(
      yargs
        .positional('folders', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'Run folders, e.g. outputs/all-shard-*-of-3',
        })
        .option('out', {
          type: 'string',
          demandOption: true,
          describe: 'The merged run folder, e.g. outputs/all',
        }),
    ),
  handler: (argv: ArgumentsCamelCase<MergeArgs>) => {
    const log = (line: string) => process.stdout.write(`${line}\n`);
    const summary = mergeRuns(argv.folders, argv.out, log, buildReportAfterRun);
    process.exitCode = summary.exitCode;
  },
};

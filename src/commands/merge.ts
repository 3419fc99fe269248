// `run-experiments merge <folders…> [--out <folder>]`: one run folder (tables, figures, summary,
// journal, plan, report) from the run folders of a config's shards. As for a run, --out is the
// folder that holds run folders: the merged run is <out>/<config name>.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { typedArgs } from './typed-args';
import { buildReportAfterRun } from '../report/build-report';
import { mergeRuns } from '../runner/merge';
import { RunFolder } from '../runner/run-folder';
import { readSavedPlan } from '../runner/status';

interface MergeArgs {
  folders: string[];
  out?: string;
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
          describe: 'Folder that holds run folders, as for a run (default: the one holding the shards)',
        })
        .example('$0 merge outputs/all-shard-*-of-3', 'merge three shards into outputs/all')
        .example('$0 merge /shared/all-shard-*-of-4 --out outputs', 'merge four shards into outputs/all')
        .example('$0 status outputs/all', 'then see what is done and what is missing'),
    ),
  handler: (argv: ArgumentsCamelCase<MergeArgs>) => {
    const withPlan = argv.folders.find((dir) => existsSync(new RunFolder(path.resolve(dir)).planFile));
    const name = withPlan ? readSavedPlan(withPlan).name : 'merged';
    const parent = argv.out ?? path.dirname(path.resolve(argv.folders[0] ?? '.'));
    const log = (line: string) =>
      process.stdout.write(`${line}
`);
    const summary = mergeRuns(argv.folders, path.join(parent, name), log, buildReportAfterRun);
    process.exitCode = summary.exitCode;
  },
};

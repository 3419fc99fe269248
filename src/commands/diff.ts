// `run-experiments diff <run A> <run B> [--fail-on METRIC>TOL ...]`: which published tables are
// identical, which differ and by how much, which exist on one side only. Exit code 1 when a watched
// metric moved more than its tolerance (a nightly check), 2 on bad input, 0 otherwise.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { compareRuns } from '../diff/compare-runs';
import { breaches, parseWatch } from '../diff/fail-on';
import { formatDiff } from '../diff/format-diff';
import { EXIT } from '../exit-codes';
import { listFlag } from './flags';
import { typedArgs } from './typed-args';

interface DiffArgs {
  runA: string;
  runB: string;
  failOn?: string[];
}

export const diffCommand: CommandModule<object, DiffArgs> = {
  command: 'diff <run-a> <run-b>',
  describe:
    'Compare the published tables of two run folders: identical, differing (max abs and relative difference per column), or on one side only',
  builder: (yargs: Argv) =>
    typedArgs<DiffArgs>(
      yargs
        .positional('run-a', { type: 'string', demandOption: true, describe: 'The baseline run folder' })
        .positional('run-b', {
          type: 'string',
          demandOption: true,
          describe: 'The run folder compared with it',
        })
        .option('fail-on', {
          type: 'string',
          array: true,
          coerce: listFlag,
          describe:
            'Exit with code 1 when this metric moved more than this: [TABLE:]COLUMN>TOLERANCE, absolute (0.01) or relative (1%); repeatable',
        })
        .example('$0 diff outputs/last-night outputs/all', 'which tables changed since last night')
        .example(
          '$0 diff outputs/last-night outputs/all --fail-on test_accuracy>0.01',
          'exit code 1 when any test accuracy moved more than 0.01',
        )
        .example(
          "$0 diff a b --fail-on 'train/summary:test_loss>5%'",
          'watch one column of the tables under tables/train/summary, relative to the larger value',
        ),
    ),
  handler: (argv: ArgumentsCamelCase<DiffArgs>) => {
    const watches = (argv.failOn ?? []).map(parseWatch);
    const diff = compareRuns(argv.runA, argv.runB);
    const breached = breaches(diff, watches);
    process.stdout.write(`${formatDiff(diff, breached).join('\n')}\n`);
    process.exitCode = breached.length ? EXIT.failed : EXIT.ok;
  },
};

// `run-experiments report <run folder>`: (re)builds <run folder>/report.html and its chapter pages
// (report-*.html) from what the run folder holds — the plan, the job results and the published
// tables and figures.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { typedArgs } from './typed-args';
import { buildReport } from '../report/build-report';

interface ReportArgs {
  runFolder: string;
  maxRows: number;
  baseline?: string;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <run-folder>',
  describe:
    'Build <run folder>/report.html (the homework beside what was measured) and its chapter pages, which open from the file system',
  builder: (yargs: Argv) =>
    typedArgs<ReportArgs>(
      yargs
        .positional('run-folder', {
          type: 'string',
          demandOption: true,
          describe: 'A run folder, e.g. outputs/smoke',
        })
        .option('max-rows', {
          type: 'number',
          default: 10,
          describe: 'Rows shown per table (each table links to its whole CSV file)',
        })
        .option('baseline', {
          type: 'string',
          describe:
            "Another run folder: the report's first page says which tables changed since it and by how much",
        })
        .example('$0 report outputs/all', 'rebuild outputs/all/report.html from the run folder alone')
        .example(
          '$0 report outputs/all --baseline outputs/previous/all',
          'with what changed since the previous run',
        )
        .example('$0 report outputs/all --max-rows 100', 'show up to 100 rows of each table')
        .check((argv) => {
          const rows = argv.maxRows as number;
          if (!Number.isInteger(rows) || rows < 1)
            throw new Error(`--max-rows: expected an integer ≥ 1, got ${rows}`);
          return true;
        }),
    ),
  handler: (argv: ArgumentsCamelCase<ReportArgs>) => {
    const built = buildReport(argv.runFolder, { maxTableRows: argv.maxRows, baseline: argv.baseline });
    process.stdout.write(
      `${built.file}: ${built.experiments} experiments, ${built.images} pictures, ${built.tables} tables on ${built.pages.length} page${built.pages.length === 1 ? '' : 's'}\n`,
    );
  },
};

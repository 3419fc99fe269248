// `run-experiments <config>` (also `run-experiments run <config>`): run a config, resuming
// whatever an earlier run of it left unfinished.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { typedArgs } from './typed-args';
import { EXIT } from '../exit-codes';
import { buildReportAfterRun } from '../report/build-report';
import { createRunLogger, type LogFormat } from '../runner/log';
import { dryRun, formatDryRun, runExperiments } from '../runner/run';
import { BUILT_IN } from '../config/settings';
import { parseShard } from '../runner/shard';
import { parseStage } from '../runner/stage';
import { parseMemory } from '../models/memory';
import { countFlag, listFlag, secondsFlag } from './flags';
import { checkOverrides, printConfig } from './run-arguments';

interface RunArgs {
  config: string;
  overrides?: string[];
  printConfig: boolean;
  workers?: number;
  retries?: number;
  timeout?: number;
  out?: string;
  force: boolean;
  rerunFailed: boolean;
  failFast: boolean;
  progress: 'auto' | 'bars' | 'lines' | 'none';
  log: LogFormat;
  logFile?: string;
  dryRun: boolean;
  maxMemory?: number;
  only?: string[];
  shard?: string;
  stage?: string;
  stages?: number;
}

/** The config, field=value overrides and the examples of `run --help`. */
const configArgs = (yargs: Argv) =>
  yargs
    .positional('config', {
      type: 'string',
      demandOption: true,
      describe: 'Config file, e.g. configs/smoke.json',
    })
    .positional('overrides', {
      type: 'string',
      array: true,
      describe:
        'field=value changes of the config, e.g. defaults.training.epochs=3 (values are YAML or JSON)',
    })
    .example('$0 configs/smoke.json', 'run a config into outputs/smoke/ (again: reuses every finished job)')
    .example('$0 configs/all.json --workers 2 --only train', 'only the train experiment, on 2 threads')
    .example(
      "$0 configs/all.json defaults.training.epochs=3 'defaults.seeds=[1,2]'",
      'change fields on the command line',
    )
    .example('$0 configs/all.json --dry-run', 'what would run and what is reused; nothing runs');

/** How the run goes: threads, retries, time limits, output folder, reruns, progress and logs. */
const runFlags = (yargs: Argv) =>
  yargs
    .option('print-config', {
      type: 'boolean',
      default: false,
      describe: 'Print the config as it will run (overrides applied) and exit',
    })
    .option('workers', {
      type: 'number',
      coerce: countFlag('workers', 1),
      describe: 'Worker threads (default: defaults.workers, else available cores)',
    })
    .option('retries', {
      type: 'number',
      coerce: countFlag('retries', 0),
      describe: `Retries of a failed job before it is recorded as failed (default: defaults.retries, else ${BUILT_IN.retries})`,
    })
    .option('timeout', {
      type: 'number',
      coerce: secondsFlag('timeout'),
      describe: 'Seconds one job attempt may take (default: defaults.timeoutSeconds, else none)',
    })
    .option('out', {
      type: 'string',
      describe: `Folder that holds run folders (default: defaults.outputDir, else ${BUILT_IN.outputDir})`,
    })
    .option('force', {
      type: 'boolean',
      default: false,
      describe: 'Rerun every job, even those with a result',
    })
    .option('rerun-failed', {
      type: 'boolean',
      default: false,
      describe: 'Also retry jobs that failed in an earlier run',
    })
    .option('fail-fast', {
      type: 'boolean',
      default: false,
      describe: 'Start no new job after the first failure',
    })
    .option('progress', {
      choices: ['auto', 'bars', 'lines', 'none'] as const,
      default: 'auto' as const,
      describe: 'Live bars (terminal) or log lines',
    })
    .option('log', {
      choices: ['text', 'json'] as const,
      default: 'text' as const,
      describe:
        'json: one JSON object per line (run-start, job-start, job-finish, job-fail, job-blocked, run-end) on stderr or --log-file',
    })
    .option('log-file', {
      type: 'string',
      describe: 'Append the log to this file instead of stdout (text) or stderr (json)',
    })
    .option('max-memory', {
      type: 'string',
      coerce: (value: unknown) => {
        if (value === undefined) return undefined;
        const text = String(Array.isArray(value) ? value.at(-1) : value);
        const bytes = parseMemory(text);
        if (bytes === undefined)
          throw new Error(`--max-memory: expected a size such as 512M or 4G, got ${JSON.stringify(text)}`);
        return bytes;
      },
      describe:
        "Memory one job may need, e.g. 4G: a network whose estimate is larger is refused at planning (default: the machine's memory / workers)",
    });

/** What runs: a dry run, a selection of experiments, one shard; and the checks that span flags. */
const selectionFlags = (yargs: Argv) =>
  yargs
    .option('dry-run', {
      type: 'boolean',
      default: false,
      describe: 'Print the plan (jobs per kind, how many already done) and run nothing',
    })
    .option('only', {
      type: 'string',
      coerce: listFlag,
      describe: 'Run only these experiments or kinds (and the jobs they need), e.g. --only train,curves',
    })
    .option('shard', {
      type: 'string',
      describe:
        'Run share k of n of the job graph (k from 1 to n) into <name>-shard-k-of-n; combine with `merge`',
    })
    .option('stage', {
      type: 'string',
      describe:
        "Run stage s of S of the job graph (with --shard k/N: task k of a budget of N) into <name>-stage-s-of-S-shard-k-of-N, reading the jobs it needs from the earlier stages' folders beside it (no report: merge writes it)",
    })
    .option('stages', {
      type: 'number',
      coerce: countFlag('stages', 1),
      describe: 'With --dry-run: the stage layout for at most N tasks per stage (see --stage)',
    })
    .check((argv) => {
      checkOverrides((argv.overrides as string[] | undefined) ?? []);
      if (argv.shard !== undefined) parseShard(String(argv.shard)); // throws a clear message for 0/3, 4/3, "x"
      if (argv.stage !== undefined) parseStage(String(argv.stage));
      if (argv.stages !== undefined && !argv.dryRun)
        throw new Error(
          '--stages N prints the stage layout with --dry-run; run one task with --stage s/S --shard k/N',
        );
      if (argv.only !== undefined && (argv.only as string[]).some((name) => !name))
        throw new Error('--only: expected an experiment name or kind');
      return true;
    });

export const runCommand: CommandModule<object, RunArgs> = {
  command: ['$0 <config> [overrides..]', 'run <config> [overrides..]'],
  describe: 'Run the experiments of a config (JSON or YAML); a finished job is never run twice',
  builder: (yargs: Argv) => typedArgs<RunArgs>(selectionFlags(runFlags(configArgs(yargs)))),
  // Config, usage and lock errors are thrown on to cli.ts, which prints them as --log asks.
  handler: async (argv: ArgumentsCamelCase<RunArgs>) => {
    const logger = createRunLogger(argv.log, argv.logFile);
    const json = logger.format === 'json';
    if (argv.printConfig) {
      printConfig(argv.config, argv.overrides);
      return;
    }
    const selection = {
      only: argv.only,
      shard: argv.shard === undefined ? undefined : parseShard(argv.shard),
      stage: argv.stage === undefined ? undefined : parseStage(argv.stage),
    };
    if (argv.dryRun) {
      const plan = dryRun({
        config: argv.config,
        workers: argv.workers,
        maxMemory: argv.maxMemory,
        overrides: argv.overrides,
        out: argv.out,
        force: argv.force,
        rerunFailed: argv.rerunFailed,
        stages: argv.stages,
        ...selection,
      });
      if (json) logger.event('plan', { run: plan.name, ...plan, name: undefined });
      else for (const line of formatDryRun(plan)) logger.line(line);
      process.exitCode = EXIT.ok;
      return;
    }
    // First SIGINT/SIGTERM: stop cleanly (lock released, journal flushed). Second: leave at once.
    const stop = new AbortController();
    const onSignal = () => {
      if (stop.signal.aborted) process.exit(EXIT.interrupted);
      if (json) logger.line('stopping: ending running jobs (press Ctrl-C again to quit at once)');
      else process.stderr.write('stopping: ending running jobs (press Ctrl-C again to quit at once)\n');
      stop.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const summary = await runExperiments({
        config: argv.config,
        overrides: argv.overrides,
        workers: argv.workers,
        maxMemory: argv.maxMemory,
        retries: argv.retries,
        timeoutSeconds: argv.timeout,
        out: argv.out,
        force: argv.force,
        rerunFailed: argv.rerunFailed,
        failFast: argv.failFast,
        progress: json ? 'none' : argv.logFile && argv.progress === 'auto' ? 'lines' : argv.progress,
        log: logger.line,
        events: json ? logger.event : undefined,
        ...selection,
        signal: stop.signal,
        // A stage's task holds a part of one stage: the merge of every task writes the report.
        buildReport: selection.stage ? undefined : buildReportAfterRun,
      });
      process.exitCode = summary.exitCode;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

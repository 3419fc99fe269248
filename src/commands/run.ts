// `run-experiments <config>` (also `run-experiments run <config>`): run a config, resuming
// whatever an earlier run of it left unfinished.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { ConfigError } from '../config/errors';
import { EXIT } from '../runner/exit-codes';
import { LockHeldError } from '../runner/lock';
import { runExperiments } from '../runner/run';

interface RunArgs {
  config: string;
  workers?: number;
  retries?: number;
  timeout?: number;
  out?: string;
  force: boolean;
  rerunFailed: boolean;
  failFast: boolean;
  progress: 'auto' | 'bars' | 'lines' | 'none';
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: ['$0 <config>', 'run <config>'],
  describe: 'Run the experiments of a config (JSON or YAML); a finished job is never run twice',
  builder: (yargs: Argv) =>
    yargs
      .positional('config', { type: 'string', demandOption: true, describe: 'Config file, e.g. configs/smoke.json' })
      .option('workers', { type: 'number', describe: 'Worker threads (default: defaults.workers, else available cores)' })
      .option('retries', { type: 'number', describe: 'Retries of a failed job before it is recorded as failed (default: defaults.retries, else 1)' })
      .option('timeout', { type: 'number', describe: 'Seconds one job attempt may take (default: defaults.timeoutSeconds, else none)' })
      .option('out', { type: 'string', describe: 'Folder that holds run folders (default: defaults.outputDir, else outputs)' })
      .option('force', { type: 'boolean', default: false, describe: 'Rerun every job, even those with a result' })
      .option('rerun-failed', { type: 'boolean', default: false, describe: 'Also retry jobs that failed in an earlier run' })
      .option('fail-fast', { type: 'boolean', default: false, describe: 'Start no new job after the first failure' })
      .option('progress', { choices: ['auto', 'bars', 'lines', 'none'] as const, default: 'auto' as const, describe: 'Live bars (terminal) or log lines' })
      .check((argv) => {
        for (const [name, min] of [['workers', 1], ['retries', 0]] as const) {
          const value = argv[name];
          if (value !== undefined && (!Number.isInteger(value) || value < min)) throw new Error(`--${name}: expected an integer ≥ ${min}, got ${value}`);
        }
        if (argv.timeout !== undefined && !(argv.timeout > 0)) throw new Error(`--timeout: expected a positive number of seconds, got ${argv.timeout}`);
        return true;
      }) as unknown as Argv<RunArgs>,
  handler: async (argv: ArgumentsCamelCase<RunArgs>) => {
    // First SIGINT/SIGTERM: stop cleanly (lock released, journal flushed). Second: leave at once.
    const stop = new AbortController();
    const onSignal = () => {
      if (stop.signal.aborted) process.exit(EXIT.interrupted);
      process.stderr.write('stopping: ending running jobs (press Ctrl-C again to quit at once)\n');
      stop.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const summary = await runExperiments({
        config: argv.config,
        workers: argv.workers,
        retries: argv.retries,
        timeoutSeconds: argv.timeout,
        out: argv.out,
        force: argv.force,
        rerunFailed: argv.rerunFailed,
        failFast: argv.failFast,
        progress: argv.progress,
        signal: stop.signal,
      });
      process.exitCode = summary.exitCode;
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        process.exitCode = EXIT.usage;
      } else if (error instanceof LockHeldError) {
        process.stderr.write(`${error.message}\n`);
        process.exitCode = EXIT.locked;
      } else throw error;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

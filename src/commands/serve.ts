// `run-experiments serve <run folder or config> [--port N] [--host H]`: the run folder's report and
// files over HTTP, read-only, with a live panel that follows a run in progress (src/serve/).
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { loadConfig } from '../config/load';
import { UsageError } from '../errors';
import { experimentKinds } from '../jobs/registry';
import { RunFolder } from '../runner/run-folder';
import { RunServer } from '../serve/server';
import { countFlag } from './flags';
import { typedArgs } from './typed-args';

interface ServeArgs {
  target: string;
  port?: number;
  host: string;
  out?: string;
}

/** The port tried when none is given; when it is taken, any free one is taken instead. */
export const DEFAULT_PORT = 8765;

/** A run folder as given, or the one a config runs into (which need not exist yet). */
function runFolderOf(target: string, out: string | undefined): RunFolder {
  if (!existsSync(target)) throw new UsageError(`${target}: no such run folder or config file`);
  if (statSync(target).isDirectory()) return new RunFolder(path.resolve(target));
  const config = loadConfig(target, experimentKinds, process.cwd());
  return new RunFolder(path.resolve(out ?? config.defaults.outputDir, config.name));
}

async function listen(folder: RunFolder, host: string, port: number | undefined): Promise<RunServer> {
  const server = new RunServer({ folder, host, port: port ?? DEFAULT_PORT });
  try {
    process.stdout.write(`serving ${folder.dir} at ${await server.listen()} (read-only; Ctrl-C stops)\n`);
    return server;
  } catch (error) {
    if (port !== undefined || !(error instanceof UsageError) || !error.message.startsWith('--port'))
      throw error;
    const anyPort = new RunServer({ folder, host, port: 0 });
    process.stdout.write(
      `serving ${folder.dir} at ${await anyPort.listen()} (read-only; Ctrl-C stops; port ${DEFAULT_PORT} was taken)\n`,
    );
    return anyPort;
  }
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve <target>',
  describe:
    "Serve a run folder's report and files on a local web page that follows a run in progress (jobs running, ETA, training curves); read-only",
  builder: (yargs: Argv) =>
    typedArgs<ServeArgs>(
      yargs
        .positional('target', {
          type: 'string',
          demandOption: true,
          describe: 'A run folder (outputs/all), or a config whose run folder to follow (configs/all.json)',
        })
        .option('port', {
          type: 'number',
          coerce: countFlag('port', 0),
          describe: `Port to listen on (default ${DEFAULT_PORT}, or any free port when it is taken; 0: any free port)`,
        })
        .option('host', {
          type: 'string',
          default: '127.0.0.1',
          describe: 'Address to listen on (127.0.0.1: this machine only; 0.0.0.0: every network it is on)',
        })
        .option('out', {
          type: 'string',
          describe: "With a config: the folder holding run folders (default: the config's outputDir)",
        })
        .example('$0 serve outputs/all', 'the report of outputs/all, live while a run goes on in it')
        .example('$0 serve configs/all.json --port 8080', 'follow the run of configs/all.json from its start')
        .check((argv) => {
          const port = argv.port as number | undefined;
          if (port !== undefined && port > 65535)
            throw new Error(`--port: expected at most 65535, got ${port}`);
          return true;
        }),
    ),
  handler: async (argv: ArgumentsCamelCase<ServeArgs>) => {
    const server = await listen(runFolderOf(argv.target, argv.out), argv.host, argv.port);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  },
};

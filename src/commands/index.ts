// Every command of run-experiments: one typed module per command, one line here each. Commands are
// the top layer: they load configs and kinds (jobs/registry.ts), run (runner/) and build reports (report/).
import type { CommandModule } from 'yargs';
import { runCommand } from './run';
import { statusCommand } from './status';
import { reportCommand } from './report';
import { mergeCommand } from './merge';
import { kindsCommand } from './kinds';
import { describeCommand } from './describe';
import { diffCommand } from './diff';
import { serveCommand } from './serve';

// biome-ignore lint/suspicious/noExplicitAny: each command infers its own argument type
export const commands: CommandModule<object, any>[] = [
  runCommand,
  statusCommand,
  reportCommand,
  mergeCommand,
  kindsCommand,
  describeCommand,
  diffCommand,
  serveCommand,
];

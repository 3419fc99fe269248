// `run-experiments kinds`: every kind of experiment a config can name, one line each.
import type { CommandModule } from 'yargs';
import { experimentKinds } from '../jobs/registry';

export const kindsCommand: CommandModule<object, object> = {
  command: 'kinds',
  describe: 'List the kinds of experiment a config can name, one line each',
  builder: (yargs) =>
    yargs
      .example('$0 kinds', 'every kind with what it does')
      .example('$0 describe occlusion', "then one kind's fields, defaults and an example"),
  handler: () => {
    const kinds = experimentKinds.filter((kind) => !kind.internal);
    const width = Math.max(...kinds.map((kind) => kind.kind.length)) + 2;
    for (const kind of kinds) process.stdout.write(`${kind.kind.padEnd(width)}${kind.description}\n`);
  },
};

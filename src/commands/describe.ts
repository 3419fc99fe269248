// `run-experiments describe KIND`: a kind's fields, types, defaults and an example.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { describeKind } from './describe-kind';
import { typedArgs } from './typed-args';
import { UsageError } from '../errors';
import { experimentKinds } from '../jobs/registry';
import { didYouMean } from '../suggest';

interface DescribeArgs {
  kind: string;
}

export const describeCommand: CommandModule<object, DescribeArgs> = {
  command: 'describe <kind>',
  describe: "Show a kind's fields, their types and defaults, and an example from a shipped config",
  builder: (yargs: Argv) =>
    typedArgs<DescribeArgs>(
      yargs
        .positional('kind', { type: 'string', demandOption: true, describe: 'A kind, e.g. occlusion' })
        .example('$0 describe occlusion', "occlusion's fields: patch, stride, fill, images, ...")
        .example('$0 describe train', 'the training settings and the layers a network may have'),
    ),
  handler: (argv: ArgumentsCamelCase<DescribeArgs>) => {
    const kinds = experimentKinds.filter((kind) => !kind.internal);
    const kind = kinds.find((k) => k.kind === argv.kind);
    if (!kind) {
      const names = kinds.map((k) => k.kind);
      throw new UsageError(
        `describe: unknown kind "${argv.kind}"${didYouMean(argv.kind, names)}; run-experiments kinds lists them`,
      );
    }
    process.stdout.write(`${describeKind(kind).join('\n')}\n`);
  },
};

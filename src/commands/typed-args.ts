// yargs infers each option's type from its declaration, but not what the builders' coerce and
// check functions make of it (`--workers 2` → a positive integer, `--shard 1/3` → a Shard): each
// command declares its arguments' type, and this is the one place that tells yargs so.
import type { Argv } from 'yargs';

export function typedArgs<A>(yargs: Argv<unknown>): Argv<A> {
  // The declared type is what the command's own coerce/check functions guarantee.
  return yargs as unknown as Argv<A>;
}

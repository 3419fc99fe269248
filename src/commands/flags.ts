// Typed flags with messages that name the value as the user typed it. yargs turns `--workers abc`
// of a number flag into NaN, so a bad value is read back from the command line for the message.
import { hideBin } from 'yargs/helpers';

/** The last value given to `--name` on the command line (`--name v` or `--name=v`), as typed. */
export function typedValue(
  name: string,
  argv: readonly string[] = hideBin(process.argv),
): string | undefined {
  let found: string | undefined;
  argv.forEach((arg, i) => {
    if (arg === `--${name}` && i + 1 < argv.length) found = argv[i + 1];
    else if (arg.startsWith(`--${name}=`)) found = arg.slice(name.length + 3);
  });
  return found;
}

function numberFlag(
  name: string,
  pattern: RegExp,
  accepts: (number: number) => boolean,
  expected: string,
): (value: unknown) => number | undefined {
  return (value) => {
    if (value === undefined) return undefined;
    const last = Array.isArray(value) ? value.at(-1) : value;
    const text = typedValue(name) ?? String(last);
    const number = pattern.test(text) ? Number(text) : Number.NaN;
    if (!accepts(number)) throw new Error(`--${name}: expected ${expected}, got ${JSON.stringify(text)}`);
    return number;
  };
}

/** `--workers abc` → `--workers: expected a positive integer, got "abc"`. */
export function countFlag(name: string, min: 0 | 1): (value: unknown) => number | undefined {
  const expected = min === 1 ? 'a positive integer' : 'a non-negative integer';
  return numberFlag(name, /^\s*-?\d+\s*$/, (n) => Number.isSafeInteger(n) && n >= min, expected);
}

export function secondsFlag(name: string): (value: unknown) => number | undefined {
  return numberFlag(name, /^\s*-?\d+(\.\d+)?\s*$/, (n) => n > 0, 'a positive number of seconds');
}

/** `--only a,b --only c` → ['a', 'b', 'c']. */
export function listFlag(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value])
    .flatMap((item) => String(item).split(','))
    .map((s) => s.trim());
}

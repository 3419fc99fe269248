// Overrides on the command line, Hydra style: `defaults.training.epochs=3 'defaults.seeds=[1,2]'`.
// Each sets one field of the config file's contents before it is validated, so an override is
// checked exactly like the file (an unknown field gets the same did-you-mean message) and enters
// the config hash and the job ids as if it had been written in the file.
import { didYouMean } from '../suggest';
import { ConfigError } from '../config-errors';

export interface Override {
  /** As typed, for messages: `defaults.training.epochs=3`. */
  text: string;
  /** `experiments.occlusion.patch` → ['experiments', 'occlusion', 'patch']. */
  path: string[];
  value: unknown;
}

/** `key=value` → its path and its value, parsed as YAML (so JSON too): `3`, `[1, 2]`, `mnist`, `{ first: 100 }`. */
export function parseOverride(text: string, file: string): Override {
  const equals = text.indexOf('=');
  const key = equals > 0 ? text.slice(0, equals) : '';
  const path = key.split(/\.|\[(\d+)\]/).filter((part) => part !== undefined && part !== '');
  if (equals <= 0 || path.length === 0)
    throw new ConfigError(file, [
      {
        path: '',
        message: `override ${JSON.stringify(text)}: expected field=value, e.g. defaults.training.epochs=3 (flags start with --)`,
      },
    ]);
  const YAML = require('yaml') as typeof import('yaml');
  const document = YAML.parseDocument(text.slice(equals + 1));
  if (document.errors.length > 0)
    throw new ConfigError(file, [
      {
        path: key,
        message: `override ${JSON.stringify(text)}: ${document.errors[0].message.split('\n')[0]}`,
      },
    ]);
  return { text, path, value: document.toJS() ?? null };
}

/**
 * A copy of `contents` with each override applied in order. Along the path, a number picks a list
 * element (`experiments.0.patch`), and in the experiments list a name picks the experiment of that
 * name (`experiments.occlusion.patch`). Missing objects on the way are made, so a mistyped field
 * reaches validation and is named there.
 */
export function applyOverrides(contents: unknown, overrides: readonly Override[], file: string): unknown {
  const root = structuredClone(contents) as Record<string, unknown>;
  for (const override of overrides) {
    let node: unknown = root;
    override.path.forEach((part, i) => {
      const last = i === override.path.length - 1;
      const container = node as Record<string, unknown> | unknown[];
      const key = Array.isArray(container) ? listIndex(container, part, override, file) : part;
      if (last) (container as Record<string | number, unknown>)[key] = override.value;
      else {
        const next = (container as Record<string | number, unknown>)[key];
        if (next === null || typeof next !== 'object')
          (container as Record<string | number, unknown>)[key] = /^\d+$/.test(override.path[i + 1]) ? [] : {};
        node = (container as Record<string | number, unknown>)[key];
      }
    });
  }
  return root;
}

/** The index a path part names in a list: a number, or the name of one of its objects. */
function listIndex(list: unknown[], part: string, override: Override, file: string): number {
  if (/^\d+$/.test(part)) return Number(part);
  const index = list.findIndex(
    (item) => item !== null && typeof item === 'object' && (item as { name?: unknown }).name === part,
  );
  if (index >= 0) return index;
  const names = list
    .map((item) => (item as { name?: unknown } | null)?.name)
    .filter((name): name is string => typeof name === 'string');
  throw new ConfigError(file, [
    {
      path: '',
      message: `override ${JSON.stringify(override.text)}: no experiment is named "${part}"${didYouMean(part, names) || ` (experiments: ${names.map((n) => `"${n}"`).join(', ')})`}`,
    },
  ]);
}

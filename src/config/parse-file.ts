import path from 'node:path';
import { ConfigError, type ConfigProblem, formatPath } from '../config-errors';
import { readRegularFile } from '../files';

/**
 * The largest config read: configs are written by hand (sweeps make the grid), and parsing one of
 * 50 MB took 20 s and 2.3 GB before it could be refused for what it held.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** How many aliases a YAML config may expand (yaml's own guard against alias bombs; it allows 100). */
const MAX_YAML_ALIASES = 100;

/** Reads `file` (resolved against `cwd`); messages name it as given. */
export function readConfigFile(file: string, cwd = process.cwd()): unknown {
  let text: string;
  try {
    text = readRegularFile(path.resolve(cwd, file), MAX_CONFIG_BYTES).toString('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message);
    throw new ConfigError(file, [{ path: '', message: `cannot read the config (${why})` }]);
  }
  return parseConfigText(text, file);
}

export function parseConfigText(text: string, file: string): unknown {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.yaml' || extension === '.yml') return parseYaml(text, file);
  if (extension === '.json') return parseJson(text, file);
  throw new ConfigError(file, [{ path: '', message: 'expected a .json, .yaml or .yml file' }]);
}

function parseJson(text: string, file: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    let where = '';
    if (position) {
      const before = text.slice(0, Number(position[1]));
      const line = before.split('\n').length;
      const column = before.length - before.lastIndexOf('\n');
      where = ` at line ${line}, column ${column}`;
    }
    const reason = message.replace(/^(JSON\.parse: )?/, '').replace(/ in JSON at position \d+.*$/, '');
    throw new ConfigError(file, [{ path: '', message: `invalid JSON${where}: ${reason}` }]);
  }
  const duplicates = duplicateKeys(text);
  if (duplicates.length) throw new ConfigError(file, duplicates);
  return value;
}

/**
 * JSON.parse keeps the last of two equal keys without a word. The yaml package reads JSON too (YAML
 * 1.2 is a superset) and keeps every key with its place, so it finds them; only done once the text
 * is known to be valid JSON.
 */
function duplicateKeys(text: string): ConfigProblem[] {
  const YAML = require('yaml') as typeof import('yaml');
  const lines = new YAML.LineCounter();
  const document = YAML.parseDocument(text, { uniqueKeys: false, lineCounter: lines });
  const problems: ConfigProblem[] = [];
  YAML.visit(document, {
    Map(_key, map, ancestors) {
      const seen = new Map<unknown, number>();
      for (const pair of map.items) {
        if (!YAML.isScalar(pair.key)) continue;
        const line = lines.linePos(pair.key.range?.[0] ?? 0).line;
        const first = seen.get(pair.key.value);
        if (first === undefined) seen.set(pair.key.value, line);
        else
          problems.push({
            path: formatPath(pathOf(ancestors, map, YAML)),
            message: `duplicate key ${JSON.stringify(pair.key.value)} at line ${line} (first at line ${first}): remove one of them`,
          });
      }
    },
  });
  return problems;
}

/** The JSON path of a node from the chain of its ancestors (for the message). */
function pathOf(
  ancestors: readonly unknown[],
  node: unknown,
  YAML: typeof import('yaml'),
): (string | number)[] {
  const chain = [...ancestors, node];
  const out: (string | number)[] = [];
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i];
    const child = chain[i + 1];
    if (YAML.isPair(parent) && YAML.isScalar(parent.key)) out.push(String(parent.key.value));
    else if (YAML.isSeq(parent)) out.push(parent.items.indexOf(child as never));
  }
  return out;
}

function parseYaml(text: string, file: string): unknown {
  // Loaded for YAML configs only (it takes longer to load than a JSON config takes to plan).
  const YAML = require('yaml') as typeof import('yaml');
  const document = YAML.parseDocument(text);
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((error) => {
        const at = error.linePos?.[0];
        const where = at ? ` at line ${at.line}, column ${at.col}` : '';
        // yaml's message ends with " at line L, column C:" and a code excerpt: keep the reason only.
        const reason = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        return { path: '', message: `invalid YAML${where}: ${reason}` };
      }),
    );
  }
  try {
    return document.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    // yaml throws a ReferenceError ("Excessive alias count …") when aliases would expand past the limit.
    if (!(error instanceof ReferenceError)) throw error;
    throw new ConfigError(file, [
      {
        path: '',
        message: `config too large after expanding aliases (a YAML anchor may be expanded at most ${MAX_YAML_ALIASES} times)`,
      },
    ]);
  }
}

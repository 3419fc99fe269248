// Reading a config file: JSON (.json) or YAML (.yaml, .yml), with line and column on syntax errors.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors';

/** Reads `file` (resolved against `cwd`); messages name it as given. */
export function readConfigFile(file: string, cwd = process.cwd()): unknown {
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (code ?? String(error));
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
  try {
    return JSON.parse(text);
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
  return document.toJS();
}

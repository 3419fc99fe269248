// `run-experiments describe KIND`: a kind's fields, their types, defaults and descriptions, read
// from the same zod schema the config is validated with, and an example from a shipped config.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describeSchema, inputJsonSchema, type JsonSchema } from '../config/describe';
import type { ExperimentKind } from '../jobs/kind';
import { packageRoot } from '../package-root';

const WIDTH = 100;

export function describeKind(kind: ExperimentKind): string[] {
  const schema = inputJsonSchema(kind.schema);
  const required = new Set<string>(schema.required ?? []);
  const fields = Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>);
  const width = Math.max(...fields.map(([name]) => name.length), 4) + 2;
  const lines = [`${kind.kind}: ${kind.description}`, '', 'Fields (besides name, kind and sweep):'];
  for (const [name, field] of fields) {
    const type = describeSchema(field, schema) ?? 'any value';
    const need = required.has(name) ? 'required; ' : 'default' in field ? '' : 'optional; ';
    const fallback = 'default' in field ? `; default ${JSON.stringify(field.default)}` : '';
    lines.push(...wrap(`${need}${type}${fallback}`, `  ${name.padEnd(width)}`, ' '.repeat(width + 2)));
    if (field.description)
      lines.push(...wrap(field.description, ' '.repeat(width + 4), ' '.repeat(width + 4)));
  }
  if (fields.length === 0) lines.push('  (none)');
  const example = shippedExample(kind.kind);
  if (example) {
    lines.push('', `Example (from ${example.file}):`);
    lines.push(
      ...JSON.stringify(example.experiment, null, 2)
        .split('\n')
        .map((line) => `  ${line}`),
    );
  }
  return lines;
}

/** The first experiment of this kind in the shipped configs (configs/*.json), with its file. */
function shippedExample(kind: string): { file: string; experiment: unknown } | undefined {
  const dir = path.join(packageRoot(), 'configs');
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((file) => file.endsWith('.json'))
      .sort();
  } catch {
    return undefined;
  }
  for (const file of files) {
    const config = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
      experiments?: { kind?: string }[];
    };
    const experiment = config.experiments?.find((e) => e.kind === kind);
    if (experiment) return { file: path.join('configs', file), experiment };
  }
  return undefined;
}

/** Words of `text` in lines of at most WIDTH characters, the first after `first`, the rest after `rest`. */
function wrap(text: string, first: string, rest: string): string[] {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(/\s+/)) {
    const fresh = line === first || line === rest;
    if (!fresh && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = rest + word;
    } else line += (fresh ? '' : ' ') + word;
  }
  lines.push(line);
  return lines;
}

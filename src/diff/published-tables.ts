// The tables a run folder publishes: every CSV and JSON file under its tables/ folder, by its path
// below tables/ (e.g. `train/summary/accuracy.csv`), read as a header and rows of text cells.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { UsageError } from '../errors';

export interface Table {
  header: string[];
  rows: string[][];
}

/** The run folder's published tables, sorted; a folder that is no run folder is a UsageError. */
export function publishedTables(runDir: string): string[] {
  if (!existsSync(runDir) || !statSync(runDir).isDirectory())
    throw new UsageError(`${runDir}: no such run folder`);
  if (!existsSync(path.join(runDir, 'plan.json')))
    throw new UsageError(`${runDir}: not a run folder (no plan.json); run a config first`);
  const root = path.join(runDir, 'tables');
  const found: string[] = [];
  const walk = (sub: string) => {
    for (const entry of readdirSync(path.join(root, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (/\.(csv|json)$/.test(entry.name)) found.push(rel);
    }
  };
  if (existsSync(root)) walk('');
  return found.sort();
}

/** A published table as text cells: a CSV as written, a JSON file as one row of its leaf values. */
export function readTable(runDir: string, table: string): Table {
  const file = path.join(runDir, 'tables', ...table.split('/'));
  const text = readFileSync(file, 'utf8');
  try {
    if (table.endsWith('.json')) return jsonRow(JSON.parse(text));
    const [header = [], ...rows] = parse(text, {
      relax_column_count: true,
      skip_empty_lines: true,
    }) as string[][];
    return { header, rows };
  } catch (error) {
    throw new UsageError(`${file}: cannot be read as a table: ${(error as Error).message}`);
  }
}

/** `{ a: 1, b: { c: [2, 3] } }` → columns a, b.c[0], b.c[1] and one row 1, 2, 3. */
function jsonRow(value: unknown): Table {
  const header: string[] = [];
  const row: string[] = [];
  const visit = (node: unknown, name: string) => {
    if (Array.isArray(node)) node.forEach((item, i) => visit(item, `${name}[${i}]`));
    else if (node !== null && typeof node === 'object')
      for (const [key, item] of Object.entries(node)) visit(item, name ? `${name}.${key}` : key);
    else {
      header.push(name || 'value');
      row.push(node === null ? '' : String(node));
    }
  };
  visit(value, '');
  return { header, rows: [row] };
}

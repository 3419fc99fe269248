// One digest of a run folder's published tables that leaves wall-clock fields out (training
// seconds, job milliseconds): two runs of the same config on different machines or shard counts
// must agree on everything else, byte for byte.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';

/** Names of CSV columns and JSON fields that hold times measured by a clock (ms_per_image: the attribution methods' time). */
export const WALL_CLOCK = /^(seconds|ms|ms_per_image|wallMs|elapsedMs|startedAt|finishedAt|at)$/;

export interface TableDigest {
  digest: string;
  files: number;
  /** The wall-clock fields found and left out. */
  leftOut: string[];
}

export function tableDigest(runDir: string): TableDigest {
  const hash = createHash('sha256');
  const leftOut = new Set<string>();
  const files = tableFiles(runDir);
  for (const rel of files) hash.update(`${rel}\n${JSON.stringify(keptOf(runDir, rel, leftOut))}\n`);
  return { digest: hash.digest('hex'), files: files.length, leftOut: [...leftOut].sort() };
}

/** Each published table's own SHA-256 (wall-clock fields left out), by its path under tables/. */
export function tableDigests(runDir: string): Record<string, string> {
  const leftOut = new Set<string>();
  return Object.fromEntries(
    tableFiles(runDir).map((rel) => [
      rel,
      createHash('sha256')
        .update(JSON.stringify(keptOf(runDir, rel, leftOut)))
        .digest('hex'),
    ]),
  );
}

function tableFiles(runDir: string): string[] {
  return (readdirSync(path.join(runDir, 'tables'), { recursive: true, encoding: 'utf8' }) as string[])
    .filter((rel) => /\.(csv|json)$/.test(rel))
    .map((rel) => rel.split(path.sep).join('/'))
    .sort();
}

function keptOf(runDir: string, rel: string, leftOut: Set<string>): unknown {
  const text = readFileSync(path.join(runDir, 'tables', rel), 'utf8');
  return rel.endsWith('.csv')
    ? withoutClockColumns(text, leftOut)
    : withoutClockFields(JSON.parse(text), leftOut);
}

function withoutClockColumns(text: string, leftOut: Set<string>): string[][] {
  const rows = parse(text, { relax_column_count: true }) as string[][];
  const header = rows[0] ?? [];
  const keep = header.map((name) => !WALL_CLOCK.test(name));
  header.forEach((name, i) => !keep[i] && leftOut.add(name));
  return rows.map((row) => row.filter((_, i) => keep[i] ?? true));
}

function withoutClockFields(value: unknown, leftOut: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutClockFields(item, leftOut));
  if (value === null || typeof value !== 'object') return value;
  const kept: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (WALL_CLOCK.test(key)) leftOut.add(key);
    else kept[key] = withoutClockFields(item, leftOut);
  }
  return kept;
}

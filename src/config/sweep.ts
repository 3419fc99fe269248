// Sweep grids: `{ "learningRate": [0.01, 0.001], "training.batchSize": [32, 128] }` expands into
// every combination, the first field varying slowest.
import { canonicalJson } from '../canonical-json';

export interface SweepAssignment {
  /** Field as written under `sweep`, possibly a dotted path. */
  field: string;
  /** Position of the value in that field's list (for error paths). */
  index: number;
  value: unknown;
}

export interface SweepPoint {
  assignments: SweepAssignment[];
  /** Readable label such as `learningRate=0.001,batchSize=32`. */
  label: string;
}

/** The most points one experiment's sweep may expand into (every point is at least one job). */
export const MAX_SWEEP_POINTS = 10_000;

/** How many points a sweep expands into, counted without expanding it. */
export function sweepSize(sweep: Record<string, unknown[]>): number {
  return Object.values(sweep).reduce((product, values) => product * values.length, 1);
}

export function expandSweep(sweep: Record<string, unknown[]>): SweepPoint[] {
  let points: SweepAssignment[][] = [[]];
  for (const [field, values] of Object.entries(sweep)) {
    points = points.flatMap((point) => values.map((value, index) => [...point, { field, index, value }]));
  }
  return points.map((assignments) => ({ assignments, label: assignments.map(labelPart).join(',') }));
}

function labelPart({ field, index, value }: SweepAssignment): string {
  const name = field.split('.').pop() ?? field;
  // A list or object (such as a `layers` list) is named by its place in the sweep: `layers=2`.
  if (value !== null && typeof value === 'object') return `${name}=${index + 1}`;
  const text = typeof value === 'string' ? value : canonicalJson(value);
  // Labels become key segments and folder names: no path separators.
  return `${name}=${text.replace(/[/\\]/g, '_')}`;
}

export function fieldParts(field: string): string[] {
  return field.split('.');
}

/** A deep copy of `target` with `value` set at the dotted `field`, creating objects on the way. */
export function withField(
  target: Record<string, unknown>,
  field: string,
  value: unknown,
): Record<string, unknown> {
  const copy = structuredClone(target);
  const parts = fieldParts(field);
  let node: Record<string, unknown> = copy;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = structuredClone(value);
  return copy;
}

export function hasField(target: Record<string, unknown>, field: string): boolean {
  let node: unknown = target;
  for (const part of fieldParts(field)) {
    if (node === null || typeof node !== 'object' || !(part in (node as object))) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return true;
}

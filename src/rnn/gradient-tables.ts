// Rows for the CSV tables the gradient jobs write: one column per vector entry (`h[0]`, `h[1]`),
// one row per matrix or parameter element, numbers at full float64 precision.
import type { Matrix, Vector } from './linear-algebra';
import type { NamedParameters } from './parameters';
import { elementCount, elementLabel, getElement } from './parameters';
import type { Cell } from '../render/csv';

export type Row = Record<string, Cell>;

/** `{ 'h[0]': v[0], 'h[1]': v[1] }`. */
export function vectorColumns(name: string, v: Vector): Row {
  return Object.fromEntries(v.map((value, i) => [`${name}[${i}]`, value]));
}

/** One row per entry of M: `{ ...fixed, row, column, value }`. */
export function matrixRows(fixed: Row, M: Matrix): Row[] {
  return M.flatMap((row, i) => row.map((value, j) => ({ ...fixed, row: i, column: j, value })));
}

/** One row per element of every named parameter: `{ parameter, element, <column>: value }`. */
export function parameterRows(values: NamedParameters, column: string): Row[] {
  return Object.entries(values).flatMap(([parameter, value]) =>
    Array.from({ length: elementCount(value) }, (_, i) => ({
      parameter,
      element: elementLabel(parameter, value, i),
      [column]: getElement(value, i),
    })),
  );
}

/** Element-wise sum of per-step vectors, from the last step back, in the order BPTT adds them. */
export function sumOfSteps(perStep: Vector[]): Vector {
  const total = perStep[0].map(() => 0);
  for (let t = perStep.length - 1; t >= 0; t--) perStep[t].forEach((value, i) => (total[i] += value));
  return total;
}

/** Per-step rows of dL/db terms (`step` 1..T) and a final `total` row. */
export function perStepRows(perStep: Vector[], fixed: Row = {}): Row[] {
  const rows: Row[] = perStep.map((v, t) => ({ ...fixed, step: t + 1, ...vectorColumns('dL/db', v) }));
  rows.push({ ...fixed, step: 'total', ...vectorColumns('dL/db', sumOfSteps(perStep)) });
  return rows;
}

// Tables of attribution maps: one CSV per image (the top-left cell names the method, the header
// row holds the column indices, each row starts with its row index) and the binary maps a job
// hands to the next (float32, little-endian, image after image).
import { readFileSync } from 'node:fs';
import type { Cell } from '../render/csv';
import { writeFileAtomic } from '../files';

/** Enough digits to give back the float32 value. */
export const mapValue = (v: number): string => String(Number(v.toPrecision(9)));

export function mapTable(title: string, map: ArrayLike<number>, rows: number, cols: number): Cell[][] {
  const table: Cell[][] = [[title, ...Array.from({ length: cols }, (_, c) => c)]];
  for (let r = 0; r < rows; r++) {
    const row: Cell[] = [r];
    for (let c = 0; c < cols; c++) row.push(mapValue(map[r * cols + c]));
    table.push(row);
  }
  return table;
}

export function writeMaps(file: string, maps: Float32Array): void {
  const bytes = new Uint8Array(maps.byteLength);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < maps.length; i++) view.setFloat32(i * 4, maps[i], true);
  writeFileAtomic(file, bytes);
}

export function readMaps(file: string, expected: number): Float32Array {
  const bytes = readFileSync(file);
  if (bytes.length !== expected * 4)
    throw new Error(
      `${file}: ${bytes.length} bytes, expected ${expected} float32 values (${expected * 4} bytes)`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: expected }, (_, i) => view.getFloat32(i * 4, true));
}

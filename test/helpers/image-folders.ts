// Folders of PNG images in the class-per-folder layout, made in the test: class k is a bar at row
// ⌊k·rows/classes⌋ in its own colour on seeded dark noise, so a small CNN learns it in a few
// epochs, and a map or overlay shows whether colours and positions came through.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { mulberry32 } from '../../src/random';

/** One colour per class (RGB), gray-free so that the folder reads as RGB. */
export const CLASS_COLOURS = [
  [230, 40, 40],
  [40, 200, 60],
  [50, 80, 240],
  [230, 200, 30],
] as const;

export interface FolderOptions {
  classes?: number;
  perClass: number;
  rows?: number;
  cols?: number;
  seed?: number;
  /** false: gray bars (the folder reads as grayscale). */
  colour?: boolean;
}

/** The PNG bytes of one image of class `label`. */
export function barPng(label: number, options: FolderOptions, random: () => number): Buffer {
  const { classes = 3, rows = 12, cols = 12, colour = true } = options;
  const png = new PNG({ width: cols, height: rows });
  const bar = Math.floor((label * rows) / classes);
  const tint = colour ? CLASS_COLOURS[label % CLASS_COLOURS.length] : [220, 220, 220];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const p = 4 * (r * cols + c);
      const noise = Math.floor(random() * 50);
      for (let k = 0; k < 3; k++) png.data[p + k] = r === bar ? tint[k] : colour ? noise + 10 * k : noise;
      png.data[p + 3] = 255;
    }
  return PNG.sync.write(png);
}

/** Writes `perClass` images of each class to dir/class-<k>/<i>.png; returns dir. */
export function writeBarFolder(dir: string, options: FolderOptions): string {
  const { classes = 3, perClass, seed = 1 } = options;
  const random = mulberry32(seed);
  for (let label = 0; label < classes; label++) {
    const classDir = path.join(dir, `class-${label}`);
    mkdirSync(classDir, { recursive: true });
    for (let i = 0; i < perClass; i++)
      writeFileSync(path.join(classDir, `${String(i).padStart(3, '0')}.png`), barPng(label, options, random));
  }
  return dir;
}

// Pictures of attribution maps: one image's map beside its digit, and a contact sheet of methods
// × images. A method's maps share one colour scale (over every image of the run): centred on
// zero (blue < 0 < red) when any value is negative, viridis from 0 otherwise.
import { divergingScale, maxAbs, sequentialScale, type ColourScale } from '../render/colour';
import { imageCell, imageName, type ProbedImage } from '../render/feature-map-grid';
import { renderGrid, scaleFor, tilePicture, type Grid, type GridCell } from '../render/grid';

const TILE = 112;

/** The colour scale of a method's maps: diverging ±max |value| when any is negative, else 0..max. */
export function methodScale(values: ArrayLike<number>): ColourScale {
  const limit = maxAbs(values);
  for (let i = 0; i < values.length; i++) if (values[i] < 0) return divergingScale(limit);
  return sequentialScale(limit);
}

const format = (v: number) => (v === 0 ? '0' : v.toPrecision(2));

export function mapCell(map: ArrayLike<number>, rows: number, cols: number, scale: ColourScale): GridCell {
  return { picture: tilePicture(map, rows, cols, scale, scaleFor(Math.max(rows, cols), TILE)) };
}

/** One image: the digit and its map, with the method's colour scale. */
export function heatMapBesideDigit(
  image: ProbedImage,
  map: ArrayLike<number>,
  scale: ColourScale,
  title: string,
  method: string,
): Grid {
  return renderGrid({
    title,
    cells: [[imageCell(image, TILE), mapCell(map, image.rows, image.cols, scale)]],
    colLabels: ['image', 'map'],
    legend: { scale, label: method, format },
  });
}

export interface SheetRow {
  method: string;
  maps: ArrayLike<number>[];
  scale: ColourScale;
}

/** Methods × images: the digits on top, then one row per method on that method's own scale. */
export function contactSheet(images: ProbedImage[], rows: SheetRow[], title: string): Grid {
  const [height, width] = [images[0].rows, images[0].cols];
  const tile = Math.min(TILE, 72);
  const scaleText = (s: ColourScale) =>
    s.domain[0] < 0 ? `±${format(s.domain[1])}` : `0..${format(s.domain[1])}`;
  return renderGrid({
    title,
    cells: [
      images.map((image) => imageCell(image, tile)),
      ...rows.map((row) =>
        row.maps.map((map) => ({
          picture: tilePicture(map, height, width, row.scale, scaleFor(Math.max(height, width), tile)),
        })),
      ),
    ],
    rowLabels: ['image', ...rows.map((row) => `${row.method} (${scaleText(row.scale)})`)],
    colLabels: images.map((image) => `#${image.index}: ${image.label}`),
  });
}

export { imageName };

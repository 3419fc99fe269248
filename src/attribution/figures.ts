// Pictures of attribution maps: one image's map drawn over its digit (with the plain digit beside
// it), and a contact sheet of methods × images. A method's maps share one colour scale (over every
// image of the run, ending at the 99th percentile of |value|): diverging, centred on zero (blue < 0 < red), when any value is negative, as
// for signed methods such as gradient × input; sequential (viridis from 0) otherwise, as for
// saliency or Grad-CAM, whose maps are magnitudes.
import { quantileSorted } from 'simple-statistics';
import { divergingScale, sequentialScale, type ColourScale } from '../render/colour';
import { imageCell, imageName, type ProbedImage } from '../render/feature-map-grid';
import { renderGrid, scaleFor, type Grid, type GridCell } from '../render/grid';
import { upscale } from '../render/picture';

const TILE = 112;
// The most a map's colour covers the digit: even the strongest pixel lets the stroke show through.
const MAX_OPACITY = 0.85;

// Attribution maps are peaky: a few pixels of one image set the maximum and every other map would
// be drawn nearly transparent. The scale ends at this quantile of |value| and clamps beyond it.
const SCALE_QUANTILE = 0.99;

/** The colour scale of a method's maps: diverging ± the 99th percentile of |value| when any is negative, else 0..it. */
export function methodScale(values: ArrayLike<number>): ColourScale {
  const magnitudes = Float64Array.from(values, Math.abs).sort();
  const limit = magnitudes.length ? quantileSorted(Array.from(magnitudes), SCALE_QUANTILE) : 0;
  for (let i = 0; i < values.length; i++) if (values[i] < 0) return divergingScale(limit);
  return sequentialScale(limit);
}

/** Which kind of colour map a scale is, in words a legend can carry. */
export function scaleKind(scale: ColourScale): string {
  return scale.domain[0] < 0 ? 'diverging: blue < 0 < red' : 'sequential: viridis from 0';
}

const format = (v: number) => (v === 0 ? '0' : v.toPrecision(2));

/**
 * The map over the digit: each pixel the map's colour blended over the gray digit, the more
 * opaque the larger |value| is against the scale's end (√ of the share, at most 85 %), so where
 * the map is near zero the digit shows as it is. An RGB image is drawn in gray (its luminance)
 * under the map, so the map's colours never mix with the image's; the plain image beside it keeps
 * its colours.
 */
export function overlayCell(
  image: ProbedImage,
  map: ArrayLike<number>,
  scale: ColourScale,
  target: number,
): GridCell {
  const { rows, cols, pixels } = image;
  if (map.length !== rows * cols)
    throw new Error(`overlay: ${map.length} map values for a ${rows}×${cols} image`);
  const limit = Math.max(Math.abs(scale.domain[0]), Math.abs(scale.domain[1])) || 1;
  const data = new Float32Array(rows * cols * 3);
  for (let i = 0; i < rows * cols; i++) {
    // The square root lifts middling values into view; the legend's colours are the full-opacity ones.
    const opacity = MAX_OPACITY * Math.sqrt(Math.min(1, Math.abs(map[i]) / limit));
    const colour = scale.colour(map[i]);
    const gray =
      image.channels === 3
        ? 0.299 * pixels[3 * i] + 0.587 * pixels[3 * i + 1] + 0.114 * pixels[3 * i + 2]
        : pixels[i];
    for (let ch = 0; ch < 3; ch++) data[i * 3 + ch] = gray * (1 - opacity) + colour[ch] * opacity;
  }
  return { picture: upscale({ rows, cols, data }, scaleFor(Math.max(rows, cols), target)) };
}

/** One image: the digit, and the map over it, with the method's colour scale. */
export function heatMapOverDigit(
  image: ProbedImage,
  map: ArrayLike<number>,
  scale: ColourScale,
  title: string,
  method: string,
): Grid {
  return renderGrid({
    title,
    cells: [[imageCell(image, TILE), overlayCell(image, map, scale, TILE)]],
    colLabels: ['image', 'map over it'],
    legend: { scale, label: `${method} (${scaleKind(scale)})`, format },
  });
}

export interface SheetRow {
  method: string;
  maps: ArrayLike<number>[];
  scale: ColourScale;
}

/** Methods × images: the digits on top, then one row per method, drawn over the digits on that method's own scale. */
export function contactSheet(images: ProbedImage[], rows: SheetRow[], title: string): Grid {
  const tile = Math.min(TILE, 72);
  const scaleText = (s: ColourScale) =>
    s.domain[0] < 0 ? `±${format(s.domain[1])}, blue < 0 < red` : `0..${format(s.domain[1])}, viridis`;
  return renderGrid({
    title,
    cells: [
      images.map((image) => imageCell(image, tile)),
      ...rows.map((row) => row.maps.map((map, i) => overlayCell(images[i], map, row.scale, tile))),
    ],
    rowLabels: ['image', ...rows.map((row) => `${row.method} (${scaleText(row.scale)})`)],
    colLabels: images.map((image) => `#${image.index}: ${image.label}`),
  });
}

export { imageName };

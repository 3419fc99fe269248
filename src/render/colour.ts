// Colour scales for pictures of numbers: a diverging blue–white–red scale centred on zero (for
// weights, which have a sign) and viridis (for activations, which are ≥ 0 after ReLU). Both are
// piecewise-linear through a few stops of well-known palettes, monotone along the value, so a
// pixel's colour can be mapped back to its value (`ColourScale.invert`).
import type { Rgb } from './picture';

export interface ColourScale {
  /** The value at the low and high end; values outside are clamped. */
  readonly domain: readonly [number, number];
  colour(value: number): Rgb;
  /** The value whose colour is nearest to `rgb` (0..1 channels); the inverse of `colour` up to rounding. */
  invert(rgb: Rgb): number;
}

type Stops = readonly Rgb[];

// ColorBrewer RdBu (reversed: negative = blue), 7 classes.
const RED_BLUE: Stops = [
  [0.129, 0.4, 0.675],
  [0.404, 0.663, 0.812],
  [0.82, 0.898, 0.941],
  [0.969, 0.969, 0.969],
  [0.992, 0.859, 0.78],
  [0.937, 0.541, 0.384],
  [0.698, 0.094, 0.169],
];

// matplotlib's viridis at 9 evenly spaced points.
const VIRIDIS: Stops = [
  [0.267, 0.005, 0.329],
  [0.278, 0.176, 0.482],
  [0.231, 0.322, 0.545],
  [0.173, 0.443, 0.557],
  [0.129, 0.567, 0.551],
  [0.153, 0.678, 0.506],
  [0.361, 0.785, 0.388],
  [0.667, 0.863, 0.196],
  [0.993, 0.906, 0.144],
];

function interpolate(stops: Stops, t: number): Rgb {
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [stops[i], stops[i + 1]];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

const LOOKUP_STEPS = 1024;

function scale(stops: Stops, low: number, high: number): ColourScale {
  const span = high - low || 1; // a constant picture gets the low end's colour
  const toT = (v: number) => (v - low) / span;
  // Inversion by nearest colour in a fine table: exact enough for 8-bit pixels, and simple.
  const table = Array.from({ length: LOOKUP_STEPS + 1 }, (_, k) => interpolate(stops, k / LOOKUP_STEPS));
  return {
    domain: [low, high],
    colour: (v) => interpolate(stops, toT(v)),
    invert(rgb) {
      let best = 0;
      let bestDistance = Infinity;
      table.forEach((c, k) => {
        const d = (c[0] - rgb[0]) ** 2 + (c[1] - rgb[1]) ** 2 + (c[2] - rgb[2]) ** 2;
        if (d < bestDistance) [best, bestDistance] = [k, d];
      });
      return low + (best / LOOKUP_STEPS) * span;
    },
  };
}

/** Blue (negative) – white (zero) – red (positive), symmetric: −limit..+limit. */
export function divergingScale(limit: number): ColourScale {
  const l = Math.abs(limit) || 1;
  return scale(RED_BLUE, -l, l);
}

/** viridis over 0..max (dark purple = 0, yellow = max). */
export function sequentialScale(max: number): ColourScale {
  return scale(VIRIDIS, 0, max > 0 ? max : 1);
}

/** The largest absolute value (0 for none). */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

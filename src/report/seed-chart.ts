// Mean ± sd across seeds, for a figure every seed draws on its own (accuracy against shift): the
// report reads each seed's table and draws the mean of each series as a line with a band of ± one
// sample standard deviation, as an SVG inlined in the page (it is small: one point per x and
// series). The figures that get one are listed in SEED_CHARTS.
import { mean, sd } from '../statistics';
import { escapeHtml, readCsvRows } from './html';

export interface SeedChartSpec {
  /** The per-seed figure (a published file name) this chart sums up. */
  figure: string;
  /** Its per-seed table, and the columns drawn. */
  table: string;
  x: string;
  series: { column: string; label: string }[];
  title: string;
  xTitle: string;
  yTitle: string;
}

export const SEED_CHARTS: readonly SeedChartSpec[] = [
  {
    figure: 'accuracy_vs_shift.png',
    table: 'tables/accuracy_vs_shift.csv',
    x: 'shift',
    series: [
      { column: 'horizontal_accuracy', label: 'horizontal shift' },
      { column: 'vertical_accuracy', label: 'vertical shift' },
    ],
    title: 'Test accuracy by shift, mean ± sd over seeds',
    xTitle: 'shift (pixels)',
    yTitle: 'test accuracy',
  },
];

interface Point {
  x: number;
  mean: number;
  sd: number;
}

/** Each series' mean and sd at each x, over the seeds' tables (files). */
export function meanSdSeries(spec: SeedChartSpec, files: string[]): Point[][] {
  const tables = files.map((file) => {
    const [header, ...rows] = readCsvRows(file);
    const at = (name: string) => {
      const i = header.indexOf(name);
      if (i < 0) throw new Error(`${file}: no column "${name}"`);
      return i;
    };
    return { rows, x: at(spec.x), columns: spec.series.map((s) => at(s.column)) };
  });
  const xs = [...new Set(tables.flatMap((t) => t.rows.map((r) => Number(r[t.x]))))].sort((a, b) => a - b);
  return spec.series.map((_, s) =>
    xs.map((x) => {
      const values = tables.flatMap((t) =>
        t.rows.filter((r) => Number(r[t.x]) === x).map((r) => Number(r[t.columns[s]])),
      );
      return { x, mean: mean(values), sd: sd(values) };
    }),
  );
}

const COLOURS = ['#4c78a8', '#f58518', '#54a24b', '#e45756'];
const [WIDTH, HEIGHT] = [620, 320];
const PLOT = { left: 60, right: 440, top: 34, bottom: 270 };

/** Round tick values covering [low, high]: about five. */
function ticks(low: number, high: number): number[] {
  const step = 10 ** Math.floor(Math.log10((high - low) / 5 || 1));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (high - low) / s <= 6) ?? 10 * step;
  const out: number[] = [];
  for (let v = Math.ceil(low / nice) * nice; v <= high + 1e-9; v += nice) out.push(Number(v.toPrecision(6)));
  return out;
}

/** The chart as SVG: axes with titles and ticks, one line and band per series, a legend. */
export function meanSdSvg(spec: SeedChartSpec, series: Point[][], seeds: number): string {
  const all = series.flat();
  const [x0, x1] = [Math.min(...all.map((p) => p.x)), Math.max(...all.map((p) => p.x))];
  const y0 = Math.min(0, ...all.map((p) => p.mean - p.sd));
  const y1 = Math.max(...all.map((p) => p.mean + p.sd));
  const px = (x: number) => PLOT.left + ((x - x0) / (x1 - x0 || 1)) * (PLOT.right - PLOT.left);
  const py = (y: number) => PLOT.bottom - ((y - y0) / (y1 - y0 || 1)) * (PLOT.bottom - PLOT.top);
  const f = (v: number) => v.toFixed(1);
  const parts: string[] = [];
  for (const t of ticks(y0, y1))
    parts.push(
      `<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${f(py(t))}" y2="${f(py(t))}" stroke="#e4e4e4"/><text x="${PLOT.left - 6}" y="${f(py(t) + 4)}" text-anchor="end">${t}</text>`,
    );
  for (const t of ticks(x0, x1))
    parts.push(`<text x="${f(px(t))}" y="${PLOT.bottom + 16}" text-anchor="middle">${t}</text>`);
  series.forEach((points, s) => {
    const colour = COLOURS[s % COLOURS.length];
    const upper = points.map((p) => `${f(px(p.x))},${f(py(p.mean + p.sd))}`);
    const lower = points.map((p) => `${f(px(p.x))},${f(py(p.mean - p.sd))}`).reverse();
    parts.push(
      `<polygon points="${[...upper, ...lower].join(' ')}" fill="${colour}" fill-opacity="0.2"/>`,
      `<polyline points="${points.map((p) => `${f(px(p.x))},${f(py(p.mean))}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`,
      `<line x1="${PLOT.right + 20}" x2="${PLOT.right + 44}" y1="${PLOT.top + 10 + 20 * s}" y2="${PLOT.top + 10 + 20 * s}" stroke="${colour}" stroke-width="2"/><rect x="${PLOT.right + 20}" y="${PLOT.top + 4 + 20 * s}" width="24" height="12" fill="${colour}" fill-opacity="0.2"/>`,
      `<text x="${PLOT.right + 50}" y="${PLOT.top + 14 + 20 * s}">${escapeHtml(spec.series[s].label)}</text>`,
    );
  });
  const note = ['line: the mean', `band: ± 1 sd over ${seeds} seeds`];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(spec.title)}" font-family="DejaVu Sans, sans-serif" font-size="11">`,
    `<text x="${WIDTH / 2}" y="16" text-anchor="middle" font-weight="bold" font-size="12">${escapeHtml(spec.title)}</text>`,
    ...parts,
    `<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${PLOT.bottom}" y2="${PLOT.bottom}" stroke="#333"/><line x1="${PLOT.left}" x2="${PLOT.left}" y1="${PLOT.top}" y2="${PLOT.bottom}" stroke="#333"/>`,
    `<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 36}" text-anchor="middle" font-weight="bold">${escapeHtml(spec.xTitle)}</text>`,
    `<text transform="translate(16 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle" font-weight="bold">${escapeHtml(spec.yTitle)}</text>`,
    ...note.map(
      (line, i) =>
        `<text x="${PLOT.right + 20}" y="${PLOT.top + 20 + 20 * series.length + 16 * i}" fill="#666">${escapeHtml(line)}</text>`,
    ),
    '</svg>',
  ].join('');
}

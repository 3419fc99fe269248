// The charts of the batch normalization claims: a measure (mean over seeds, a bar of ± 1 sd)
// against a batch size on a log₂ axis, one line per series, one panel per measure (its y title).
import type { ChartSpec } from '../render/chart';
import { LINE_LEGEND } from '../render/line-legend';
import { panelsSideBySide } from '../render/panels';

export interface SeriesPoint {
  /** The panel's title, e.g. `test accuracy`. */
  panel: string;
  /** The line, e.g. `batch-norm`. */
  series: string;
  batchSize: number;
  mean: number;
  sd: number;
}

export function seriesChart(
  points: SeriesPoint[],
  options: { title: string; xTitle: string; logY?: boolean },
): ChartSpec {
  const batchSizes = [...new Set(points.map((p) => p.batchSize))].sort((a, b) => a - b);
  const values = points.map((p) => ({ ...p, low: p.mean - p.sd, high: p.mean + p.sd }));
  const x = {
    field: 'batchSize',
    type: 'quantitative',
    title: options.xTitle,
    scale: { type: 'log', base: 2 },
    axis: { values: batchSizes, format: 'd' },
  };
  const y = (panel: string) => ({
    type: 'quantitative',
    title: panel,
    scale: options.logY ? { type: 'log' } : { zero: false },
  });
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    legend: { ...LINE_LEGEND, labelLimit: 400 },
  };
  const panels = [...new Set(points.map((p) => p.panel))];
  return {
    title: options.title,
    data: { values },
    ...panelsSideBySide('panel', panels, (panel) => ({
      width: 300,
      height: 220,
      layer: [
        { mark: { type: 'line', point: true }, encoding: { x, y: { ...y(panel), field: 'mean' }, color } },
        {
          mark: { type: 'rule' },
          encoding: { x, y: { ...y(panel), field: 'low' }, y2: { field: 'high' }, color },
        },
      ],
    })),
  } as ChartSpec;
}

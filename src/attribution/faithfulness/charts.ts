// The faithfulness charts (vega-lite, drawn by src/render/chart.ts): the mean deletion or
// insertion curve of every method overlaid, and the sanity check's rank correlation as layers
// are randomised from the top.
import type { ChartSpec } from '../../render/chart';
import { LINE_LEGEND } from '../../render/line-legend';

// Method labels with settings run long: `integrated-gradients(steps=128)`.
const legend = { ...LINE_LEGEND, labelLimit: 320 };

export interface CurvePoint {
  method: string;
  fraction: number;
  probability: number;
}

/** One line per method: the mean probability of the target against the share of pixels removed or added. */
export function curvesChart(points: CurvePoint[], curve: 'deletion' | 'insertion', title: string): ChartSpec {
  return {
    title,
    width: 360,
    height: 240,
    data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'fraction',
        type: 'quantitative',
        title: curve === 'deletion' ? 'share of pixels removed' : 'share of pixels added',
        axis: { format: '%' },
      },
      y: {
        field: 'probability',
        type: 'quantitative',
        title: 'mean probability of the target class',
        scale: { domain: [0, 1] },
      },
      color: { field: 'method', type: 'nominal', title: 'method', legend },
    },
  } as ChartSpec;
}

export interface SanityPoint {
  method: string;
  /** Cascade step: how many layers are randomised, and the one randomised last. */
  step: number;
  layer: string;
  spearman: number;
}

/** One line per method: mean Spearman ρ with the trained model's maps, layer by layer from the top. */
export function sanityChart(points: SanityPoint[], threshold: number, title: string): ChartSpec {
  const layers = [...new Map(points.map((p) => [p.step, p.layer])).entries()].sort((a, b) => a[0] - b[0]);
  return {
    title,
    width: 360,
    height: 240,
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', point: true },
        encoding: {
          x: {
            field: 'layer',
            type: 'ordinal',
            sort: layers.map(([, layer]) => layer),
            title: 'randomised from the top down to layer',
            axis: { labelAngle: 0 },
          },
          y: {
            field: 'spearman',
            type: 'quantitative',
            title: 'Spearman ρ with the trained model’s |map|',
            scale: { domainMax: 1 },
          },
          color: { field: 'method', type: 'nominal', title: 'method', legend },
        },
      },
      {
        data: { values: [{ threshold }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#888' },
        encoding: { y: { field: 'threshold', type: 'quantitative' } },
      },
    ],
  } as ChartSpec;
}

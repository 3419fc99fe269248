// Charts: a vega-lite spec compiled by vega-lite, rendered to SVG by vega (no canvas needed),
// and to PNG by resvg. Both files are kept: the SVG scales, the PNG goes everywhere.
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../files';
import { RESVG_FONTS } from './fonts';

export type ChartSpec = TopLevelSpec;

export async function chartSvg(spec: ChartSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string, scale = 2): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: RESVG_FONTS,
  });
  return resvg.render().asPng();
}

/** Writes `<base>.svg` and `<base>.png` for the spec. */
export async function writeChart(base: string, spec: ChartSpec): Promise<void> {
  const svg = await chartSvg({ background: 'white', ...spec } as ChartSpec);
  writeFileAtomic(`${base}.svg`, svg);
  writeFileAtomic(`${base}.png`, svgToPng(svg));
}

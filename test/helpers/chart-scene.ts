// What vega lays out for a chart spec, read from its scene graph: where each text stands, the
// lines drawn, and each legend's entries with the symbol beside each label. Tests compare these
// with the pixels resvg draws and with the marks the legends name.
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { ChartSpec } from '../../src/render/chart';

export interface Box {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

export interface LegendEntry {
  label: string;
  shape?: string;
  stroke?: string;
  strokeDash?: number[];
  fill?: string;
}

export interface ChartScene {
  /** Texts by role (`title-text`, `axis-title`, `legend-label`, ...), boxes in SVG pixels. */
  texts: { role: string; text: string; box: Box }[];
  /** One per line drawn. */
  lines: { stroke?: string; strokeDash?: number[] }[];
  /** One list of entries per legend, with the legend's title. */
  legends: { title: string; entries: LegendEntry[] }[];
}

interface Item {
  x?: number;
  y?: number;
  text?: unknown;
  shape?: string;
  stroke?: string;
  strokeDash?: number[];
  fill?: string;
  bounds: { x1: number; y1: number; x2: number; y2: number };
  items?: Mark[];
}
interface Mark {
  marktype: string;
  role: string;
  items: Item[];
}

function marksUnder(item: Item, role: string): { mark: Mark; item: Item }[] {
  return (item.items ?? []).flatMap((mark) => [
    ...(mark.role === role ? mark.items.map((child) => ({ mark, item: child })) : []),
    ...mark.items.flatMap((child) => marksUnder(child, role)),
  ]);
}

export async function chartScene(spec: ChartSpec): Promise<ChartScene> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  await view.runAsync();
  const scene: ChartScene = { texts: [], lines: [], legends: [] };
  const walk = (mark: Mark, x: number, y: number) => {
    for (const item of mark.items) {
      if (mark.marktype === 'text' && typeof item.text === 'string') {
        const b = item.bounds;
        scene.texts.push({
          role: mark.role,
          text: item.text,
          box: { left: x + b.x1, top: y + b.y1, right: x + b.x2, bottom: y + b.y2 },
        });
      }
      if (mark.marktype === 'line' && mark.role === 'mark')
        scene.lines.push({ stroke: item.stroke, strokeDash: item.strokeDash });
      if (mark.role === 'legend') {
        const symbols = marksUnder(item, 'legend-symbol').map(({ item: s }) => s);
        const labels = marksUnder(item, 'legend-label').map(({ item: l }) => String(l.text));
        const title = marksUnder(item, 'legend-title').map(({ item: t }) => String(t.text));
        scene.legends.push({
          title: title[0] ?? '',
          entries: labels.map((label, i) => ({
            label,
            shape: symbols[i]?.shape,
            stroke: symbols[i]?.stroke,
            strokeDash: symbols[i]?.strokeDash,
            fill: symbols[i]?.fill,
          })),
        });
      }
      for (const child of item.items ?? []) walk(child, x + (item.x ?? 0), y + (item.y ?? 0));
    }
  };
  // The SVG's origin: the chart's padding plus the room vega keeps for axes and titles on the left and top.
  const [ox, oy] = view.origin();
  const padding = view.padding() as unknown as { left: number; top: number };
  walk((view.scenegraph() as unknown as { root: Mark }).root, ox + padding.left, oy + padding.top);
  view.finalize();
  return scene;
}

// The figures' text is drawn with the DejaVu Sans that ships in the npm package, never with the
// system's fonts: a chart's title, axis titles and legend labels, and a grid's
// title and labels have ink where they stand, and the same input gives the same PNG bytes.
import { Resvg } from '@resvg/resvg-js';
import { PNG } from 'pngjs';
import { curvesChart, type EpochRow } from '../../src/kinds/curves';
import { type ChartSpec, chartSvg, svgToPng } from '../../src/render/chart';
import { divergingScale } from '../../src/render/colour';
import { type GridSpec, renderGrid, tilePicture } from '../../src/render/grid';
import { encodeRgbPng, type RgbPicture } from '../../src/render/picture';
import { type Box, chartScene } from '../helpers/chart-scene';

/** Pixels darker than mid-gray inside the box (PNG pixels), the box grown by `margin`. */
function inkIn(png: PNG, box: Box, margin = 2): number {
  let dark = 0;
  for (let y = Math.max(0, Math.floor(box.top) - margin); y < Math.min(png.height, box.bottom + margin); y++)
    for (
      let x = Math.max(0, Math.floor(box.left) - margin);
      x < Math.min(png.width, box.right + margin);
      x++
    ) {
      const i = (y * png.width + x) * 4;
      if (png.data[i] + png.data[i + 1] + png.data[i + 2] < 3 * 128) dark++;
    }
  return dark;
}

const history: EpochRow[] = [1, 2, 3, 4].map((epoch) => ({
  model: 'seed=1',
  epoch,
  loss: 1 / epoch,
  accuracy: 0.8 + epoch / 50,
  valLoss: 1.1 / epoch,
  valAccuracy: 0.78 + epoch / 50,
}));

describe('charts', () => {
  const spec = {
    background: 'white',
    ...curvesChart(history, 'Loss and accuracy per epoch, seed=1', false),
  } as ChartSpec;

  test('the title, axis titles and legend labels are drawn; without a font they would not be', async () => {
    const svg = await chartSvg(spec);
    // Where vega put each text, in PNG pixels (resvg draws the SVG at twice its size).
    const texts = (await chartScene(spec)).texts.map((t) => ({
      ...t,
      box: { top: 2 * t.box.top, left: 2 * t.box.left, bottom: 2 * t.box.bottom, right: 2 * t.box.right },
    }));
    const named = (role: string) => texts.filter((t) => t.role === role).map((t) => t.text);
    expect(named('title-text')).toEqual(['Loss and accuracy per epoch, seed=1']);
    expect(named('axis-title').sort()).toEqual(['accuracy', 'epoch', 'epoch', 'loss']);
    expect(named('legend-label')).toEqual(['train', 'validation']);
    const drawn = PNG.sync.read(Buffer.from(svgToPng(svg)));
    // The same SVG through resvg with no font at all: what a machine without fonts got before.
    const fontless = new Resvg(svg, {
      fitTo: { mode: 'zoom', value: 2 },
      background: 'white',
      font: { loadSystemFonts: false },
    });
    const blank = PNG.sync.read(Buffer.from(fontless.render().asPng()));
    for (const t of texts.filter((t) => ['title-text', 'axis-title', 'legend-label'].includes(t.role))) {
      expect({ text: t.text, ink: inkIn(drawn, t.box) > 10 * t.text.length }).toEqual({
        text: t.text,
        ink: true,
      });
      expect({ text: t.text, ink: inkIn(blank, t.box) }).toEqual({ text: t.text, ink: 0 });
    }
  });

  test('two renders give the same bytes', async () => {
    const [a, b] = [await chartSvg(spec), await chartSvg(spec)];
    expect(a).toBe(b);
    expect(Buffer.from(svgToPng(a)).equals(Buffer.from(svgToPng(b)))).toBe(true);
  });
});

describe('labelled grids', () => {
  const scale = divergingScale(1);
  // Pale cells (values near 0 are white), so that only text is dark.
  const cells = [0, 1].map((r) =>
    [0, 1, 2].map((c) => ({ picture: tilePicture([0.1 * (r - c), 0, 0, 0.05], 2, 2, scale, 12) })),
  );
  const labelled: GridSpec = {
    title: 'Filters of conv1',
    cells,
    rowLabels: ['first', 'second'],
    colLabels: ['one', 'two', 'three'],
  };
  // The same layout with blank labels: no ink where the text was.
  const unlabelled: GridSpec = { ...labelled, title: ' ', rowLabels: [' ', ' '], colLabels: [' ', ' ', ' '] };
  const png = (picture: RgbPicture) => encodeRgbPng(picture.data, picture.rows, picture.cols);

  test('the title, column labels and row labels are drawn where they stand', () => {
    const grid = renderGrid(labelled);
    const [first] = grid.boxes[0];
    const second = grid.boxes[1][0]!;
    const areas: Record<string, Box> = {
      title: { top: 0, left: 0, bottom: 28, right: grid.picture.cols },
      'column labels': {
        top: first!.top - 20,
        left: first!.left,
        bottom: first!.top - 3,
        right: grid.picture.cols,
      },
      'first row label': {
        top: first!.top,
        left: 0,
        bottom: first!.top + first!.rows,
        right: first!.left - 3,
      },
      'second row label': {
        top: second.top,
        left: 0,
        bottom: second.top + second.rows,
        right: second.left - 3,
      },
    };
    const drawn = PNG.sync.read(png(grid.picture));
    const blank = PNG.sync.read(png(renderGrid(unlabelled).picture));
    for (const [name, area] of Object.entries(areas)) {
      expect({ name, ink: inkIn(drawn, area, 0) > 30 }).toEqual({ name, ink: true });
      expect({ name, ink: inkIn(blank, area, 0) }).toEqual({ name, ink: 0 });
    }
  });

  test('two renders give the same bytes', () => {
    expect(png(renderGrid(labelled).picture).equals(png(renderGrid(labelled).picture))).toBe(true);
  });
});

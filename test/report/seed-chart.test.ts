// The mean ± sd chart across seeds: each series' mean and sample sd at each x, drawn with a
// title, axis titles and a legend entry per series.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { meanSdSeries, meanSdSvg, SEED_CHARTS } from '../../src/report/seed-chart';
import { tempDir } from '../helpers/temp-dir';

test('two seeds: mean and sample sd per shift and series; the SVG has its titles and a legend', () => {
  const dir = tempDir('probelab-seed-chart-');
  const files = [
    ['shift,horizontal_accuracy,vertical_accuracy,images', '-1,0.5,0.25,10', '0,0.9,0.9,10', '1,0.6,0.3,10'],
    ['shift,horizontal_accuracy,vertical_accuracy,images', '-1,0.7,0.35,10', '0,0.9,0.9,10', '1,0.6,0.5,10'],
  ].map((lines, i) => {
    const file = path.join(dir, `seed=${i + 1}.csv`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  });
  const spec = SEED_CHARTS.find((c) => c.figure === 'accuracy_vs_shift.png')!;
  const [horizontal, vertical] = meanSdSeries(spec, files);
  expect(horizontal.map((p) => p.x)).toEqual([-1, 0, 1]);
  expect(horizontal[0].mean).toBeCloseTo(0.6, 12);
  expect(horizontal[0].sd).toBeCloseTo(Math.SQRT2 * 0.1, 12);
  expect(horizontal[1]).toEqual({ x: 0, mean: 0.9, sd: 0 });
  expect(vertical[2].mean).toBeCloseTo(0.4, 12);
  const svg = meanSdSvg(spec, [horizontal, vertical], 2);
  for (const text of [
    spec.title,
    spec.xTitle,
    spec.yTitle,
    'horizontal shift',
    'vertical shift',
    'band: ± 1 sd over 2 seeds',
  ])
    expect(svg).toContain(`>${text}</text>`);
  expect(svg.match(/<polygon /g)).toHaveLength(2);
  expect(() => meanSdSeries({ ...spec, x: 'pixels' }, files)).toThrow(`${files[0]}: no column "pixels"`);
});

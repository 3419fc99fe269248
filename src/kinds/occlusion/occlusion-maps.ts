// Job kinds of the occlusion experiment's `maps` mode: `occlusion-chunk` predicts one chunk of
// positions of one image in one batched call; `occlusion-map` assembles an image's chunks into
// the tables and figures of Problem 4 (Figures 7–10).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { gatherPixels, pixelsPerImage } from '../../data/pixels';
import type { Dataset } from '../../data/datasets';
import { writeJsonAtomic } from '../../files';
import { adversarialPlacements, countsByNewLabel } from '../../occlusion/adversarial';
import { labelMap, patchPicture, probabilityHeatMap, regionPicture } from '../../occlusion/figures';
import { occlusionGrid, type OcclusionGrid } from '../../occlusion/grid';
import { assembleMaps, mapTable, mapTitle, type MapName } from '../../occlusion/maps';
import { fillValue, meanOf, occludedCopies, type FillSpec } from '../../occlusion/occlude';
import { importantRegion } from '../../occlusion/region';
import { writeCsv, writeRecordsCsv } from '../../render/csv';
import { renderGrid, type GridCell } from '../../render/grid';
import { writeImagePng, writePicture, type RgbPicture } from '../../render/picture';
import type { OcclusionChunkParams, OcclusionMapParams } from './params';
import { defineJob, type JobContext, type NeededJob } from '../../jobs/kind';
import { cachedDataset, modelTitle, probeClassifier } from '../../jobs/shared';

/** The mean training pixel of a data set (0..1), computed once per thread. */
export function cachedDatasetMean(ctx: Pick<JobContext, 'cache'>, data: Dataset): number {
  const key = `dataset-mean:${data.name}:${data.train.count}`;
  let mean = ctx.cache.get(key) as number | undefined;
  if (mean === undefined) {
    mean = meanOf(data.train.images) / 255;
    ctx.cache.set(key, mean);
  }
  return mean;
}

/** Pixels 0..1 of test image `index` and the patch's fill value for it. */
export function testImage(
  ctx: Pick<JobContext, 'cache'>,
  data: Dataset,
  index: number,
  fill: FillSpec,
): { image: Float32Array; fill: number } {
  const image = gatherPixels(data.test, pixelsPerImage(data), [index]);
  return {
    image,
    fill: fillValue(fill, image, fill === 'dataset-mean' ? cachedDatasetMean(ctx, data) : undefined),
  };
}

export interface OcclusionChunkResult {
  index: number;
  start: number;
  end: number;
  classes: number;
  /** (end − start) × classes probabilities, row-major by position. */
  probabilities: number[];
  /** Probabilities of the unoccluded image, when asked for. */
  clean: number[] | null;
  /** The probed model as figure titles name it. */
  model: string;
}

export const occlusionChunkJob = defineJob<OcclusionChunkParams, OcclusionChunkResult>({
  kind: 'occlusion-chunk',
  async run(params, ctx): Promise<OcclusionChunkResult> {
    const { predictOcclusions } =
      require('../../occlusion/predict') as typeof import('../../occlusion/predict');
    const { classifier, data } = await probeClassifier(ctx, params);
    const grid = occlusionGrid(data.rows, data.cols, params.patch, params.stride, data.channels);
    const { image, fill } = testImage(ctx, data, params.index, params.fill);
    const { classes, clean, occluded } = await predictOcclusions(
      classifier,
      image,
      grid,
      params.start,
      params.end,
      fill,
    );
    return {
      index: params.index,
      start: params.start,
      end: params.end,
      classes,
      probabilities: Array.from(occluded),
      clean: params.clean ? Array.from(clean) : null,
      model: modelTitle(ctx, params.modelFile),
    };
  },
});

/** The chunks' results in position order, checked to cover the grid exactly. */
function gatherChunks(
  needs: Record<string, NeededJob>,
  grid: OcclusionGrid,
  chunks: number,
): { probabilities: number[]; classes: number; clean: number[]; model?: string } {
  const results = Array.from({ length: chunks }, (_, c) => {
    return occlusionChunkJob.resultOf(needs[`chunk=${c}`]);
  });
  let next = 0;
  const probabilities: number[] = [];
  for (const r of results) {
    if (r.start !== next)
      throw new Error(`occlusion-map: chunks do not line up (expected position ${next}, got ${r.start})`);
    for (const p of r.probabilities) probabilities.push(p);
    next = r.end;
  }
  if (next !== grid.count) throw new Error(`occlusion-map: chunks cover ${next} of ${grid.count} positions`);
  const clean = results[0].clean;
  if (!clean) throw new Error('occlusion-map: the first chunk has no clean prediction');
  return { probabilities, classes: results[0].classes, clean, model: results[0].model as string | undefined };
}

const six = (v: number) => v.toFixed(6);

/** The overview of all adversarial images: small copies, patch outlined. */
const SHEET_SCALE = 3;
const SHEET_COLUMNS = 12;

/** `r11_c05_as5.png`: offsets padded so that files sort by position. */
export function adversarialFileName(row: number, col: number, label: number, grid: OcclusionGrid): string {
  const width = String(Math.max(grid.rowOffsets.at(-1)!, grid.colOffsets.at(-1)!)).length;
  return `r${String(row).padStart(width, '0')}_c${String(col).padStart(width, '0')}_as${label}.png`;
}

type OutPath = (...parts: string[]) => string;
type Maps = ReturnType<typeof assembleMaps>;

/** Figures 7–9: the three maps as tables and pictures. */
async function writeMapFigures(
  out: OutPath,
  grid: OcclusionGrid,
  maps: Maps,
  classes: number,
  params: OcclusionMapParams,
  model: string | undefined,
): Promise<void> {
  const { writeChart } = require('../../render/chart') as typeof import('../../render/chart');
  const ofModel = model ? `${model}: ` : '';
  const patchText = `${grid.patch}×${grid.patch}`;
  for (const name of ['probOfTrue', 'highestProb', 'label'] as MapName[]) {
    const title = mapTitle(name, params.label);
    writeCsv(out('tables', `${title}.csv`), mapTable(name, grid, maps));
  }
  await writeChart(
    out('figures', mapTitle('probOfTrue', params.label)),
    probabilityHeatMap(
      grid,
      maps.probOfTrue,
      `${ofModel}P(${params.label}) by position of the ${patchText} patch (test image ${params.index})`,
      `P(${params.label})`,
    ),
  );
  await writeChart(
    out('figures', 'highest_prob'),
    probabilityHeatMap(
      grid,
      maps.highestProb,
      `${ofModel}Highest probability by position of the ${patchText} patch (test image ${params.index})`,
      'highest prob',
    ),
  );
  await writeChart(
    out('figures', 'label'),
    labelMap(
      grid,
      maps.label,
      classes,
      `${ofModel}Predicted label by position of the ${patchText} patch (test image ${params.index})`,
    ),
  );
}

/** The important region: the pixels whose occlusion drops P(true label) below the threshold. */
function writeImportantRegion(
  out: OutPath,
  grid: OcclusionGrid,
  maps: Maps,
  image: Float32Array,
  data: Dataset,
  params: OcclusionMapParams,
): ReturnType<typeof importantRegion> {
  const region = importantRegion(grid, maps.probOfTrue, params.threshold);
  const regionRecord = {
    threshold: region.threshold,
    placements: region.placements,
    pixels: region.pixels,
    row_first: region.rows?.[0] ?? '',
    row_last: region.rows?.[1] ?? '',
    col_first: region.cols?.[0] ?? '',
    col_last: region.cols?.[1] ?? '',
  };
  writeRecordsCsv(out('tables', 'important_region.csv'), [regionRecord]);
  const maskRows = Array.from({ length: data.rows }, (_, r) =>
    Array.from(region.mask.subarray(r * data.cols, (r + 1) * data.cols)).join(''),
  );
  writeJsonAtomic(out('tables', 'important_region.json'), {
    image: params.index,
    label: params.label,
    threshold: region.threshold,
    placements: region.placements,
    pixels: region.pixels,
    rows: region.rows,
    cols: region.cols,
    mask: maskRows,
  });
  writePicture(out('figures', 'important_region.png'), regionPicture(image, data, region, params.scale));
  return region;
}

/** The overview of all adversarial images, row by row in table order, each captioned `(row, col) → label`. */
function adversarialSheet(
  pictures: { picture: RgbPicture; row: number; col: number; newLabel: number }[],
  params: Pick<OcclusionMapParams, 'index' | 'label' | 'patch'>,
): RgbPicture {
  const what = `test #${params.index} (a ${params.label}), ${params.patch}×${params.patch} patch`;
  const cells: GridCell[] = pictures.map((p) => ({
    picture: p.picture,
    caption: `(${p.row}, ${p.col}) → ${p.newLabel}`,
  }));
  const rows = Array.from({ length: Math.ceil(cells.length / SHEET_COLUMNS) }, (_, r) =>
    cells.slice(r * SHEET_COLUMNS, (r + 1) * SHEET_COLUMNS),
  );
  if (!rows.length) return blankNote(`No placement of the patch changes the label of ${what}`);
  return renderGrid({
    title: `Patch placements that change the label of ${what}: (top row, left column) → new label`,
    cells: rows,
  }).picture;
}

function blankNote(text: string): RgbPicture {
  return renderGrid({ title: text, cells: [[null]], frame: false }).picture;
}

/** Adversarial occlusion (Figure 10): every placement that changes the label, its picture and the counts by new label. */
function writeAdversarial(
  out: OutPath,
  grid: OcclusionGrid,
  adversarial: ReturnType<typeof adversarialPlacements>,
  occlude: { image: Float32Array; fill: number },
  data: Dataset,
  params: OcclusionMapParams,
): void {
  const sheet: Parameters<typeof adversarialSheet>[0] = [];
  const records = adversarial.map((p) => {
    const file = adversarialFileName(p.row, p.col, p.newLabel, grid);
    const occluded = occludedCopies(occlude.image, grid, p.position, p.position + 1, occlude.fill);
    const outlined = (scale: number) => patchPicture(occluded, data, p.row, p.col, grid.patch, scale);
    writePicture(out('figures', 'adv_img', file), outlined(params.scale));
    sheet.push({ picture: outlined(SHEET_SCALE), row: p.row, col: p.col, newLabel: p.newLabel });
    return {
      row: p.row,
      col: p.col,
      new_label: p.newLabel,
      new_label_prob: six(p.newLabelProb),
      true_prob: six(p.trueProb),
      image: `adv_img/${file}`,
    };
  });
  mkdirSync(out('figures', 'adv_img'), { recursive: true }); // there even when no placement flips the label
  writePicture(out('figures', 'adversarial.png'), adversarialSheet(sheet, params));
  writeRecordsCsv(out('tables', 'adversarial.csv'), records, [
    'row',
    'col',
    'new_label',
    'new_label_prob',
    'true_prob',
    'image',
  ]);
}

export const occlusionMapJob = defineJob<OcclusionMapParams>({
  kind: 'occlusion-map',
  async run(params, ctx) {
    const data = cachedDataset(ctx, params.data);
    const grid = occlusionGrid(data.rows, data.cols, params.patch, params.stride, data.channels);
    const { probabilities, classes, clean, model } = gatherChunks(ctx.needs, grid, params.chunks);
    const maps = assembleMaps(grid, probabilities, classes, params.label);
    const out: OutPath = (...parts) => path.join(ctx.dir, ...parts);

    await writeMapFigures(out, grid, maps, classes, params, model);
    const occlude = testImage(ctx, data, params.index, params.fill);
    writeImagePng(
      out('figures', 'image.png'),
      occlude.image,
      data.rows,
      data.cols,
      params.scale,
      data.channels,
    );
    const region = writeImportantRegion(out, grid, maps, occlude.image, data, params);
    const adversarial = adversarialPlacements(grid, maps);
    writeAdversarial(out, grid, adversarial, occlude, data, params);
    const counts = countsByNewLabel(adversarial, classes, params.label);
    writeRecordsCsv(
      out('tables', 'adversarial_counts.csv'),
      counts.map((c) => ({ new_label: c.label, placements: c.placements })),
      ['new_label', 'placements'],
    );

    const cleanLabel = clean.indexOf(Math.max(...clean));
    return {
      image: params.index,
      label: params.label,
      cleanLabel,
      cleanTrueProb: clean[params.label],
      positions: grid.count,
      minTrueProb: Math.min(...maps.probOfTrue),
      region: { placements: region.placements, pixels: region.pixels, rows: region.rows, cols: region.cols },
      adversarial: adversarial.length,
      adversarialByLabel: Object.fromEntries(
        counts.filter((c) => c.placements > 0).map((c) => [String(c.label), c.placements]),
      ),
    };
  },
});

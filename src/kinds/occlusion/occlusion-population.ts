// Job kinds of the occlusion experiment's `population` mode: `occlusion-population-chunk`
// occludes a run of images (each image's clean copy and all its positions in one batched
// predict, a few images per call) and sums per class; `occlusion-population` merges the chunks
// in order and writes per-class mean probability-drop maps and the flip shares.
import path from 'node:path';
import { gatherPixels, pixelsPerImage } from '../../data/pixels';
import { flipShareChart, meanDropMaps } from '../../occlusion/figures';
import { occlusionGrid } from '../../occlusion/grid';
import { gridTable } from '../../occlusion/maps';
import { fillValue } from '../../occlusion/occlude';
import {
  addImage,
  emptyTotals,
  imageOutcome,
  meanDrop,
  mergeTotals,
  populationRows,
  type ClassTotals,
  type ImageOutcome,
} from '../../occlusion/population';
import { writeCsv, writeRecordsCsv } from '../../render/csv';
import { defineJob } from '../../jobs/kind';
import type { PopulationChunkParams, PopulationParams } from './params';
import { cachedDatasetMean } from './occlusion-maps';
import { cachedDataset, probeClassifier } from '../../jobs/shared';

export interface PopulationChunkResult {
  classes: number;
  positions: number;
  images: ImageOutcome[];
  totals: ClassTotals[];
}

export const populationChunkJob = defineJob<PopulationChunkParams, PopulationChunkResult>({
  kind: 'occlusion-population-chunk',
  async run(params, ctx): Promise<PopulationChunkResult> {
    const { predictOcclusions } =
      require('../../occlusion/predict') as typeof import('../../occlusion/predict');
    const { classifier, data } = await probeClassifier(ctx, params);
    const grid = occlusionGrid(data.rows, data.cols, params.patch, params.stride, data.channels);
    const pixels = pixelsPerImage(data);
    const datasetMean = params.fill === 'dataset-mean' ? cachedDatasetMean(ctx, data) : undefined;
    const buffer = new Float32Array((grid.count + 1) * pixels);
    const images: ImageOutcome[] = [];
    let totals: ClassTotals[] | undefined;
    for (const index of params.indices) {
      if (ctx.signal.aborted) throw new Error('occlusion-population-chunk: stopped');
      const image = gatherPixels(data.test, pixels, [index]);
      // One image per predict: 2 or 4 images' maps per call measured no faster (bench/occlusion.ts).
      const { classes, clean, occluded } = await predictOcclusions(
        classifier,
        image,
        grid,
        0,
        grid.count,
        fillValue(params.fill, image, datasetMean),
        buffer,
      );
      totals ??= emptyTotals(classes, grid.count);
      const outcome = imageOutcome(index, data.test.labels[index], clean, occluded, classes, grid.count);
      addImage(totals, outcome, occluded, classes);
      images.push(outcome);
    }
    return {
      classes: totals!.length,
      positions: grid.count,
      images,
      totals: totals!,
    };
  },
});

const six = (v: number) => v.toFixed(6);

export const populationJob = defineJob<PopulationParams>({
  kind: 'occlusion-population',
  async run(params, ctx) {
    const { writeChart } = require('../../render/chart') as typeof import('../../render/chart');
    const data = cachedDataset(ctx, params.data);
    const grid = occlusionGrid(data.rows, data.cols, params.patch, params.stride, data.channels);
    // Merge in chunk order, whatever order the chunks finished in: the sums are then the same on any number of workers.
    const chunks = Array.from({ length: params.chunks }, (_, c) => {
      return populationChunkJob.resultOf(ctx.needs[`chunk=${c}`]);
    });
    const classes = chunks[0].classes;
    const totals = emptyTotals(classes, grid.count);
    const images: ImageOutcome[] = [];
    for (const chunk of chunks) {
      if (chunk.positions !== grid.count)
        throw new Error(
          `occlusion-population: a chunk has ${chunk.positions} positions, the grid ${grid.count}`,
        );
      mergeTotals(totals, chunk.totals);
      images.push(...chunk.images);
    }
    const out = (...parts: string[]) => path.join(ctx.dir, ...parts);
    const rows = populationRows(totals);
    writeRecordsCsv(out('tables', 'population.csv'), rows);
    writeRecordsCsv(
      out('tables', 'images.csv'),
      images.map((o) => ({
        index: o.index,
        label: o.label,
        clean_label: o.cleanLabel,
        clean_true_prob: six(o.cleanTrueProb),
        min_true_prob: six(o.minTrueProb),
        min_row: grid.rowOffsets[Math.floor(o.minPosition / grid.colOffsets.length)],
        min_col: grid.colOffsets[o.minPosition % grid.colOffsets.length],
        flipping_placements: o.flippingPlacements,
      })),
    );
    const drops = totals.map((t) => ({ label: t.label, drop: meanDrop(t) }));
    for (const { label, drop } of drops)
      writeCsv(out('tables', `mean_drop_of_${label}.csv`), gridTable(`mean_drop_of_${label}`, grid, drop, 6));
    const patchText = `${grid.patch}×${grid.patch}`;
    await writeChart(
      out('figures', 'mean_drop_by_class'),
      meanDropMaps(
        grid,
        drops,
        `Mean drop of the true-class probability, ${patchText} patch (${images.length} test images, ${params.modelLabel})`,
      ),
    );
    await writeChart(
      out('figures', 'flip_share'),
      flipShareChart(
        rows.map((r) => ({ label: r.label, share: r.flip_share === '' ? 0 : Number(r.flip_share) })),
        `Share of correctly classified images one ${patchText} patch flips`,
      ),
    );
    const all = rows.at(-1)!;
    return {
      images: images.length,
      correctClean: all.correct_clean,
      flipped: all.flipped,
      flipShare: Number(all.flip_share || 0),
      flipShareByClass: Object.fromEntries(
        rows.slice(0, -1).map((r) => [r.label, Number(r.flip_share || 0)]),
      ),
    };
  },
});

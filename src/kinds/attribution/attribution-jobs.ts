// Job kinds of the `attribution` experiment: `attribution-chunk` computes one method's maps for
// a chunk of images (one call of src/attribution/methods.ts), `attribution-method` writes a
// method's per-image CSVs and heat maps and its images.csv, `attribution-sheet` draws the
// contact sheet of methods × images and writes methods.csv.
import path from 'node:path';
import { methodScale, contactSheet, heatMapOverDigit } from '../../attribution/figures';
import type { Completeness } from '../../attribution/integrated-gradients';
import { mapTable, mapValue, readMaps, writeMaps } from '../../attribution/tables';
import { argMax } from '../../occlusion/maps';
import { writeCsv, writeRecordsCsv, type Cell } from '../../render/csv';
import type { ProbedImage } from '../../render/feature-map-grid';
import { writePicture } from '../../render/picture';
import type { AttributionChunkParams, AttributionMethodParams, AttributionSheetParams } from './params';
import { defineJob, type NeededJob } from '../../jobs/kind';
import { cachedDataset, modelTitle, testPixels, probeClassifier } from '../../jobs/shared';
import { pixelsPerImage } from '../../data/pixels';

const MAPS = 'maps.f32';

export interface AttributionChunkResult {
  indices: number[];
  labels: number[];
  predicted: number[];
  targets: number[];
  rows: number;
  cols: number;
  completeness: Completeness[] | null;
  /** Wall-clock milliseconds of the attribution call (the model already loaded). */
  ms: number;
  model: string;
}

export const attributionChunkJob = defineJob<AttributionChunkParams, AttributionChunkResult>({
  kind: 'attribution-chunk',
  async run(params, ctx): Promise<AttributionChunkResult> {
    const { timedAttribution } =
      require('../../attribution/methods') as typeof import('../../attribution/methods');
    const { classifier, data } = await probeClassifier(ctx, params);
    const { indices } = params;
    const pixels = testPixels(data, indices, 'attribution-chunk');
    const labels = indices.map((i) => data.test.labels[i]);
    const probabilities = await classifier.probabilities(pixels, indices.length);
    const { rows, cols, channels } = data;
    const classes = probabilities.length / indices.length;
    const predicted = indices.map((_, i) => argMax(probabilities, i * classes, classes));
    const targets = params.target === 'label' ? labels : predicted;
    const result = await timedAttribution(
      classifier,
      { pixels, count: indices.length, rows, cols, channels },
      targets,
      params.method,
      { keys: indices, batchSize: params.batchSize },
    );
    writeMaps(path.join(ctx.dir, MAPS), result.maps);
    return {
      indices,
      labels,
      predicted,
      targets,
      rows: data.rows,
      cols: data.cols,
      completeness: result.completeness ?? null,
      ms: result.ms,
      model: modelTitle(ctx, params.modelFile),
    };
  },
});

interface GatheredChunks {
  indices: number[];
  labels: number[];
  predicted: number[];
  targets: number[];
  completeness: Completeness[] | null;
  rows: number;
  cols: number;
  ms: number;
  model: string;
  maps: Float32Array;
}

/** A method's chunks in order: their images, results and maps end to end. */
function gatherChunks(needs: Record<string, NeededJob>, chunks: number): GatheredChunks {
  const parts = Array.from({ length: chunks }, (_, c) => {
    const need = needs[`chunk=${c}`];
    const result = attributionChunkJob.resultOf(need);
    const maps = readMaps(path.join(need.dir, MAPS), result.indices.length * result.rows * result.cols);
    return { result, maps };
  });
  const first = parts[0].result;
  const all = <K extends 'indices' | 'labels' | 'predicted' | 'targets'>(key: K) =>
    parts.flatMap((p) => p.result[key]);
  const maps = new Float32Array(parts.reduce((n, p) => n + p.maps.length, 0));
  let at = 0;
  for (const p of parts) {
    maps.set(p.maps, at);
    at += p.maps.length;
  }
  return {
    indices: all('indices'),
    labels: all('labels'),
    predicted: all('predicted'),
    targets: all('targets'),
    completeness: first.completeness ? parts.flatMap((p) => p.result.completeness!) : null,
    rows: first.rows,
    cols: first.cols,
    ms: parts.reduce((sum, p) => sum + p.result.ms, 0),
    model: first.model,
    maps,
  };
}

export interface AttributionMethodResult {
  method: string;
  images: number;
  indices: number[];
  labels: number[];
  /** The probed model as figure titles name it. */
  model: string;
  /** Milliseconds per image, summed over the chunks' attribution calls. */
  msPerImage: number;
  /** Integrated gradients: the largest and the mean relative completeness error over the images. */
  completeness: { max: number; mean: number } | null;
}

export const attributionMethodJob = defineJob<AttributionMethodParams, AttributionMethodResult>({
  kind: 'attribution-method',
  async run(params, ctx): Promise<AttributionMethodResult> {
    const data = cachedDataset(ctx, params.data);
    const gathered = gatherChunks(ctx.needs, params.chunks);
    const { indices, rows, cols, maps } = gathered;
    const pixels = testPixels(data, indices, 'attribution-method');
    const size = rows * cols;
    const imageSize = pixelsPerImage(data);
    const scale = methodScale(maps);
    const records = indices.map((index, i) => {
      const map = maps.subarray(i * size, (i + 1) * size);
      writeCsv(path.join(ctx.dir, 'tables', `image=${index}.csv`), mapTable(params.label, map, rows, cols));
      const image: ProbedImage = {
        index,
        label: gathered.labels[i],
        pixels: pixels.subarray(i * imageSize, (i + 1) * imageSize),
        rows,
        cols,
        channels: data.channels,
      };
      const title = `${gathered.model}: ${params.label} of class ${gathered.targets[i]} for test #${index} (digit ${gathered.labels[i]})`;
      writePicture(
        path.join(ctx.dir, 'figures', `image=${index}.png`),
        heatMapOverDigit(image, map, scale, title, params.label).picture,
      );
      let sum = 0;
      let min = Infinity;
      let max = -Infinity;
      for (const v of map) {
        sum += v;
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      const record: Record<string, Cell> = {
        image: index,
        label: gathered.labels[i],
        predicted: gathered.predicted[i],
        target: gathered.targets[i],
        sum: mapValue(sum),
        min: mapValue(min),
        max: mapValue(max),
      };
      const c = gathered.completeness?.[i];
      if (c)
        Object.assign(record, {
          output_difference: mapValue(c.outputDifference),
          completeness_error: mapValue(c.relativeError),
        });
      return record;
    });
    writeRecordsCsv(path.join(ctx.dir, 'tables', 'images.csv'), records);
    writeMaps(path.join(ctx.dir, MAPS), maps);
    const errors = gathered.completeness?.map((c) => c.relativeError);
    return {
      method: params.label,
      images: indices.length,
      indices,
      labels: gathered.labels,
      model: gathered.model,
      msPerImage: gathered.ms / indices.length,
      completeness: errors
        ? { max: Math.max(...errors), mean: errors.reduce((a, b) => a + b, 0) / errors.length }
        : null,
    };
  },
});

export const attributionSheetJob = defineJob<AttributionSheetParams>({
  kind: 'attribution-sheet',
  async run(params, ctx) {
    const data = cachedDataset(ctx, params.data);
    const methods = params.methods.map((label, m) => {
      const need = ctx.needs[`method=${m}`];
      return { label, dir: need?.dir, result: attributionMethodJob.resultOf(need) };
    });
    // Every method has the same images, in the same order.
    const { indices, labels, model } = methods[0].result;
    const size = data.rows * data.cols;
    const imageSize = pixelsPerImage(data);
    const shown = Math.min(indices.length, params.sheetImages);
    const pixels = testPixels(data, indices.slice(0, shown), 'attribution-sheet');
    const images: ProbedImage[] = indices.slice(0, shown).map((index, i) => ({
      index,
      label: labels[i],
      pixels: pixels.subarray(i * imageSize, (i + 1) * imageSize),
      rows: data.rows,
      cols: data.cols,
      channels: data.channels,
    }));
    const rows = methods.map(({ label, dir }) => {
      const maps = readMaps(path.join(dir, MAPS), indices.length * size);
      return {
        method: label,
        scale: methodScale(maps),
        maps: images.map((_, i) => maps.subarray(i * size, (i + 1) * size)),
      };
    });
    const title = `${model}: attribution maps of the first ${shown} images (each method drawn over the digits on its own scale)`;
    writePicture(
      path.join(ctx.dir, 'figures', 'contact_sheet.png'),
      contactSheet(images, rows, title).picture,
    );
    writeRecordsCsv(
      path.join(ctx.dir, 'tables', 'methods.csv'),
      methods.map(({ label, result }) => ({
        method: label,
        images: result.images,
        ms: result.msPerImage.toFixed(3),
        completeness_error_mean: result.completeness ? mapValue(result.completeness.mean) : '',
        completeness_error_max: result.completeness ? mapValue(result.completeness.max) : '',
      })),
    );
    return { methods: methods.map(({ result }) => result) };
  },
});

// Job kinds of `attribution-faithfulness` (planned in ./attribution-faithfulness.ts):
// - `attribution-faithfulness-chunk`: one method's maps of a chunk of test images, in one timed
//   call of the methods' entry point as the attribution kind makes it (methods.csv and the trust
//   table time a method the same way), and both curves of each image from one batched predict;
// - `attribution-sanity-chunk`: the same maps on the model randomised layer by layer from the top,
//   each compared with the trained model's by Spearman's ρ;
// - `attribution-faithfulness`: every chunk, in the plan's order, into the tables and charts.
import path from 'node:path';
import { curvesChart, sanityChart } from '../../attribution/faithfulness/charts';
import { attributionOrder, randomMap } from '../../attribution/faithfulness/order';
import type { MapOfImage } from '../../attribution/faithfulness/sanity';
import {
  faithfulnessRows,
  meanCurveRows,
  methodFaithfulness,
  methodSanity,
  perImageRows,
  sanityRows,
  trustRows,
  type FaithfulnessChunk,
  type SanityChunk,
} from '../../attribution/faithfulness/summary';
import { comparePairwise, rankMethods, writeRankingCsv } from '../../attribution/faithfulness/ranking';
import { RANDOM_METHOD } from '../../attribution/faithfulness/trust';
import { writeTrustCsv } from '../../attribution/faithfulness/trust-table';
import type { Dataset } from '../../data/datasets';
import { writeRecordsCsv } from '../../render/csv';
import {
  chunkNeed,
  type FaithfulnessChunkParams,
  type FaithfulnessMethod,
  type FaithfulnessParams,
} from './params';
import { defineJob, type JobContext, type JobDefinition, type JobResult } from '../../jobs/kind';
import { testImage } from '../occlusion/occlusion-maps';
import { imageShape, modelTitle, probeClassifier } from '../../jobs/shared';
import {
  type Classifier,
  type ImageShape,
  layersClassifier,
  requireLayersModel,
} from '../../models/classifier';

/** The map of one image (rows × cols) by a method: its test index keys any randomness (SmoothGrad's noise, the random order). */
function mapFunction(method: FaithfulnessMethod, seed: number, shape: ImageShape): MapOfImage {
  const { settings } = method;
  const { rows, cols, channels } = shape;
  if (settings === null) return async (_model, _image, _target, index) => randomMap(rows * cols, seed, index);
  const { attribute } = require('../../attribution/methods') as typeof import('../../attribution/methods');
  const classifierOf = (model: Parameters<MapOfImage>[0]) => layersClassifier(model, shape);
  return async (model, image, target, index) => {
    const batch = { pixels: image, count: 1, rows, cols, channels };
    return (await attribute(classifierOf(model), batch, [target], settings, { keys: [index] })).maps;
  };
}

interface ChunkImage {
  index: number;
  label: number;
  target: number;
  image: Float32Array;
  /** The baseline image: every pixel the fill value. */
  baseline: Float32Array;
}

/** The chunk's test images, their targets (label or the trained model's prediction) and baselines. */
async function chunkImages(
  ctx: Pick<JobContext, 'cache'>,
  data: Dataset,
  classifier: Classifier,
  params: FaithfulnessChunkParams,
): Promise<ChunkImage[]> {
  const images: ChunkImage[] = [];
  for (const index of params.indices) {
    if (index >= data.test.count)
      throw new Error(`test image ${index} does not exist (the test set has ${data.test.count} images)`);
    const { image, fill } = testImage(ctx, data, index, params.baseline);
    const label = data.test.labels[index];
    let target = label;
    if (params.target === 'predicted') {
      const probabilities = await classifier.probabilities(image, 1);
      target = probabilities.indexOf(Math.max(...probabilities));
    }
    images.push({ index, label, target, image, baseline: new Float32Array(image.length).fill(fill) });
  }
  return images;
}

/** The chunk's maps (one per image, rows × cols each) and the milliseconds they took, timed as methods.csv times them. */
async function chunkMaps(
  classifier: Classifier,
  images: readonly ChunkImage[],
  method: FaithfulnessMethod,
  seed: number,
  data: Pick<Dataset, 'rows' | 'cols' | 'channels'>,
): Promise<{ maps: Float32Array[]; ms: number }> {
  const size = data.rows * data.cols;
  const imageSize = size * data.channels;
  const { settings } = method;
  const started = performance.now();
  if (settings === null) {
    const maps = images.map((i) => randomMap(size, seed, i.index));
    return { maps, ms: performance.now() - started };
  }
  const { timedAttribution } =
    require('../../attribution/methods') as typeof import('../../attribution/methods');
  const pixels = new Float32Array(images.length * imageSize);
  images.forEach((i, k) => pixels.set(i.image, k * imageSize));
  const result = await timedAttribution(
    classifier,
    { pixels, count: images.length, rows: data.rows, cols: data.cols, channels: data.channels },
    images.map((i) => i.target),
    settings,
    { keys: images.map((i) => i.index) },
  );
  const maps = images.map((_, k) => result.maps.subarray(k * size, (k + 1) * size));
  return { maps, ms: result.ms };
}

export const faithfulnessChunkJob = defineJob<FaithfulnessChunkParams, FaithfulnessChunk>({
  kind: 'attribution-faithfulness-chunk',
  async run(params, ctx): Promise<FaithfulnessChunk> {
    const { curvePoints, imageCurves } =
      require('../../attribution/faithfulness/curves') as typeof import('../../attribution/faithfulness/curves');
    const { classifier, data } = await probeClassifier(ctx, params);
    const points = curvePoints(data.rows * data.cols, params.steps);
    const chunk = await chunkImages(ctx, data, classifier, params);
    const { maps, ms: mapMs } = await chunkMaps(classifier, chunk, params.method, params.seed, data);
    const images = [];
    for (const [k, { index, label, target, image, baseline }] of chunk.entries()) {
      if (ctx.signal.aborted) throw new Error('attribution-faithfulness-chunk: stopped');
      const order = attributionOrder(maps[k]);
      const curves = await imageCurves(classifier, image, baseline, order, points, target, data.channels);
      images.push({ index, label, target, ...curves });
    }
    return {
      method: params.method.label,
      model: modelTitle(ctx, params.modelFile),
      fractions: points.fractions,
      images,
      mapMs,
    };
  },
});

export const sanityChunkJob = defineJob<FaithfulnessChunkParams, SanityChunk>({
  kind: 'attribution-sanity-chunk',
  async run(params, ctx): Promise<SanityChunk> {
    const { cascadingRandomisation } =
      require('../../attribution/faithfulness/sanity') as typeof import('../../attribution/faithfulness/sanity');
    const { classifier, data } = await probeClassifier(ctx, params);
    const model = requireLayersModel(classifier, 'the sanity check (layers randomised one by one)');
    const images = await chunkImages(ctx, data, classifier, params);
    const result = await cascadingRandomisation(
      model,
      images,
      mapFunction(params.method, params.seed, imageShape(data)),
      params.seed,
      ctx.signal,
    );
    return {
      method: params.method.label,
      model: modelTitle(ctx, params.modelFile),
      layers: result.layers,
      images: images.map(({ index }, i) => ({ index, spearman: result.spearman[i] })),
    };
  },
});

/** Deletion and insertion curves by method, and the sanity check's correlations layer by layer. */
async function writeFigures(
  dir: string,
  curveRows: ReturnType<typeof meanCurveRows>,
  sanityByMethod: ReturnType<typeof methodSanity>,
  params: FaithfulnessParams,
  images: number,
): Promise<void> {
  const { writeChart } = require('../../render/chart') as typeof import('../../render/chart');
  const out = (...parts: string[]) => path.join(dir, ...parts);
  const models = params.models.length === 1 ? params.models[0] : `${params.models.length} models`;
  for (const curve of ['deletion', 'insertion'] as const) {
    const points = curveRows
      .filter((r) => r.curve === curve)
      .map((r) => ({
        method: r.method,
        fraction: Number(r.fraction),
        probability: Number(r.probability_mean),
      }));
    const verb = curve === 'deletion' ? 'removed' : 'added';
    await writeChart(
      out('figures', curve),
      curvesChart(
        points,
        curve,
        `${curve[0].toUpperCase()}${curve.slice(1)}: pixels ${verb} in each method's order (mean of ${images} images, ${models})`,
      ),
    );
  }
  const sanityPoints = sanityByMethod.flatMap((m) =>
    m.steps.map((s, k) => ({ method: m.method, step: k + 1, layer: s.layer, spearman: s.mean })),
  );
  await writeChart(
    out('figures', 'sanity'),
    sanityChart(
      sanityPoints,
      params.sanityThreshold,
      params.sanity
        ? `Sanity check: rank correlation with the trained model's maps as layers are randomised (${models})`
        : 'Sanity check not run (sanity: false)',
    ),
  );
}

export const faithfulnessJob = defineJob<FaithfulnessParams>({
  kind: 'attribution-faithfulness',
  async run(params, ctx) {
    const gather = <T extends JobResult>(
      part: 'curves' | 'sanity',
      chunkJob: JobDefinition<FaithfulnessChunkParams, T>,
      methods: readonly string[],
    ): T[] =>
      params.models.flatMap((model) =>
        methods.flatMap((method) =>
          Array.from({ length: params.chunks }, (_, c) =>
            chunkJob.resultOf(ctx.needs[chunkNeed(part, model, method, c)]),
          ),
        ),
      );
    const curves = gather('curves', faithfulnessChunkJob, params.methods);
    const judged = params.methods.filter((m) => m !== RANDOM_METHOD);
    const sanity = params.sanity ? gather('sanity', sanityChunkJob, judged) : [];
    const out = (...parts: string[]) => path.join(ctx.dir, ...parts);
    const faithfulness = methodFaithfulness(params.methods, curves);
    const sanityByMethod = params.sanity ? methodSanity(judged, sanity) : [];
    const trust = trustRows(faithfulness, sanityByMethod, params.sanityThreshold);
    writeTrustCsv(out('tables', 'trust.csv'), trust, params.sanityThreshold);
    const comparisons = comparePairwise(params.methods, curves);
    writeRankingCsv(out('tables', 'ranking.csv'), comparisons);
    const ranking = rankMethods(trust, comparisons);
    writeRecordsCsv(out('tables', 'faithfulness.csv'), faithfulnessRows(faithfulness));
    writeRecordsCsv(out('tables', 'per_image.csv'), perImageRows(curves));
    const curveRows = meanCurveRows(params.methods, curves);
    writeRecordsCsv(out('tables', 'curves.csv'), curveRows);
    writeRecordsCsv(out('tables', 'sanity.csv'), sanityRows(sanityByMethod), [
      'method',
      'layers_randomised',
      'layer',
      'spearman_mean',
      'spearman_sd',
      'images',
    ]);
    await writeFigures(ctx.dir, curveRows, sanityByMethod, params, faithfulness[0]?.images ?? 0);
    return {
      best: ranking.kind === 'best' ? ranking.method : null,
      ranking,
      methods: Object.fromEntries(
        trust.map((r) => [
          r.method,
          { deletionAuc: r.deletionAuc, insertionAuc: r.insertionAuc, sanity: r.sanity },
        ]),
      ),
    };
  },
});

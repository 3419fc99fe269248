// From the chunk jobs' results to the faithfulness tables: per image, mean curves, per method
// (mean ± sd of the areas, ms per image), the sanity check per layer, and trust.csv. Chunks are
// taken in the order the plan lists them, so the tables are the same however the work was cut.
import { mean, sd } from '../../statistics';
import { RANDOM_METHOD, sanityVerdict, type TrustRow } from './trust';

/** One image's curves under one method and model. */
export interface ImageScores {
  index: number;
  label: number;
  target: number;
  deletion: number[];
  insertion: number[];
  deletionArea: number;
  insertionArea: number;
}

/** What one faithfulness chunk job returns. */
export interface FaithfulnessChunk {
  method: string;
  model: string;
  fractions: number[];
  images: ImageScores[];
  /** Milliseconds spent computing this chunk's maps (wall clock). */
  mapMs: number;
}

/** What one sanity chunk job returns: per image, ρ after randomising the top 1, 2, ... layers. */
export interface SanityChunk {
  method: string;
  model: string;
  /** Layers with weights, top first: the order they are randomised in. */
  layers: string[];
  images: { index: number; spearman: number[] }[];
}

const six = (v: number) => v.toFixed(6);

export function perImageRows(chunks: readonly FaithfulnessChunk[]) {
  return chunks.flatMap((c) =>
    c.images.map((i) => ({
      model: c.model,
      method: c.method,
      index: i.index,
      label: i.label,
      target: i.target,
      deletion_auc: six(i.deletionArea),
      insertion_auc: six(i.insertionArea),
    })),
  );
}

function byMethod<T extends { method: string }>(methods: readonly string[], chunks: readonly T[]) {
  return methods.map((method) => ({ method, chunks: chunks.filter((c) => c.method === method) }));
}

/** Mean ± sd of each curve point over every model and image, per method. */
export function meanCurveRows(methods: readonly string[], chunks: readonly FaithfulnessChunk[]) {
  return byMethod(methods, chunks).flatMap(({ method, chunks }) => {
    const images = chunks.flatMap((c) => c.images);
    const fractions = chunks[0]?.fractions ?? [];
    return (['deletion', 'insertion'] as const).flatMap((curve) =>
      fractions.map((fraction, k) => {
        const values = images.map((i) => i[curve][k]);
        return {
          method,
          curve,
          fraction: six(fraction),
          probability_mean: six(mean(values)),
          probability_sd: six(sd(values)),
        };
      }),
    );
  });
}

export interface MethodFaithfulness {
  method: string;
  images: number;
  deletionMean: number;
  deletionSd: number;
  insertionMean: number;
  insertionSd: number;
  msPerImage: number;
}

export function methodFaithfulness(
  methods: readonly string[],
  chunks: readonly FaithfulnessChunk[],
): MethodFaithfulness[] {
  return byMethod(methods, chunks).map(({ method, chunks }) => {
    const images = chunks.flatMap((c) => c.images);
    const deletion = images.map((i) => i.deletionArea);
    const insertion = images.map((i) => i.insertionArea);
    return {
      method,
      images: images.length,
      deletionMean: mean(deletion),
      deletionSd: sd(deletion),
      insertionMean: mean(insertion),
      insertionSd: sd(insertion),
      msPerImage: chunks.reduce((a, c) => a + c.mapMs, 0) / images.length,
    };
  });
}

export const faithfulnessRows = (rows: readonly MethodFaithfulness[]) =>
  rows.map((r) => ({
    method: r.method,
    images: r.images,
    deletion_auc_mean: six(r.deletionMean),
    deletion_auc_sd: six(r.deletionSd),
    insertion_auc_mean: six(r.insertionMean),
    insertion_auc_sd: six(r.insertionSd),
    ms_per_image: r.msPerImage.toFixed(2),
  }));

export interface MethodSanity {
  method: string;
  /** Per cascade step (1 = top layer randomised): the layer randomised last, mean and sd of ρ. */
  steps: { layer: string; mean: number; sd: number; images: number }[];
}

export function methodSanity(methods: readonly string[], chunks: readonly SanityChunk[]): MethodSanity[] {
  return byMethod(methods, chunks).map(({ method, chunks }) => {
    const images = chunks.flatMap((c) => c.images);
    const depth = Math.min(...chunks.map((c) => c.layers.length));
    const steps = Array.from({ length: depth }, (_, k) => {
      const values = images.map((i) => i.spearman[k]);
      const layer = [...new Set(chunks.map((c) => c.layers[k]))].join('/');
      return { layer, mean: mean(values), sd: sd(values), images: values.length };
    });
    return { method, steps };
  });
}

export const sanityRows = (rows: readonly MethodSanity[]) =>
  rows.flatMap((r) =>
    r.steps.map((s, k) => ({
      method: r.method,
      layers_randomised: k + 1,
      layer: s.layer,
      spearman_mean: six(s.mean),
      spearman_sd: six(s.sd),
      images: s.images,
    })),
  );

/** One row per method: the areas, the sanity check's last step and verdict, ms per image. */
export function trustRows(
  faithfulness: readonly MethodFaithfulness[],
  sanity: readonly MethodSanity[],
  threshold: number,
): TrustRow[] {
  return faithfulness.map((f) => {
    const last = sanity.find((s) => s.method === f.method)?.steps.at(-1);
    const spearman = last ? last.mean : null;
    const reference = f.method === RANDOM_METHOD;
    return {
      method: f.method,
      deletionAuc: f.deletionMean,
      deletionSd: f.deletionSd,
      insertionAuc: f.insertionMean,
      insertionSd: f.insertionSd,
      sanitySpearman: spearman,
      sanity: reference ? 'reference' : sanityVerdict(spearman, threshold),
      msPerImage: f.msPerImage,
    };
  });
}

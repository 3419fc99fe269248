// Occlusion over many images: per true class, the sum of probability-drop maps (clean true-class
// probability minus the occluded one, per position), and how many correctly classified images
// some single placement flips to another label. Chunks of images are summarised on their own and
// merged in a fixed order, so the totals do not depend on how the work was spread.
import { argMax } from './maps';

export interface ImageOutcome {
  index: number;
  label: number;
  cleanLabel: number;
  cleanTrueProb: number;
  minTrueProb: number;
  /** Position where the true-class probability is lowest (first one on ties). */
  minPosition: number;
  /** Placements whose predicted label is not the true label. */
  flippingPlacements: number;
}

export interface ClassTotals {
  label: number;
  images: number;
  /** Images the model classifies correctly without occlusion. */
  correctClean: number;
  /** Correctly classified images that at least one placement flips. */
  flipped: number;
  sumCleanTrueProb: number;
  sumMinTrueProb: number;
  /** Per position, the sum over images of (clean true-class probability − occluded one). */
  sumDrop: number[];
}

/** The outcome of one image from its clean probabilities and those of every position (count × classes). */
export function imageOutcome(
  index: number,
  label: number,
  clean: ArrayLike<number>,
  occluded: ArrayLike<number>,
  classes: number,
  positions: number,
): ImageOutcome {
  let minTrueProb = Infinity;
  let minPosition = 0;
  let flippingPlacements = 0;
  for (let k = 0; k < positions; k++) {
    const p = occluded[k * classes + label];
    if (p < minTrueProb) {
      minTrueProb = p;
      minPosition = k;
    }
    if (argMax(occluded, k * classes, classes) !== label) flippingPlacements++;
  }
  return {
    index,
    label,
    cleanLabel: argMax(clean, 0, classes),
    cleanTrueProb: clean[label],
    minTrueProb,
    minPosition,
    flippingPlacements,
  };
}

export function emptyTotals(classes: number, positions: number): ClassTotals[] {
  return Array.from({ length: classes }, (_, label) => ({
    label,
    images: 0,
    correctClean: 0,
    flipped: 0,
    sumCleanTrueProb: 0,
    sumMinTrueProb: 0,
    sumDrop: new Array<number>(positions).fill(0),
  }));
}

/** Adds one image to the totals of its class. */
export function addImage(
  totals: ClassTotals[],
  outcome: ImageOutcome,
  occluded: ArrayLike<number>,
  classes: number,
): void {
  const t = totals[outcome.label];
  t.images++;
  const correct = outcome.cleanLabel === outcome.label;
  if (correct) t.correctClean++;
  if (correct && outcome.flippingPlacements > 0) t.flipped++;
  t.sumCleanTrueProb += outcome.cleanTrueProb;
  t.sumMinTrueProb += outcome.minTrueProb;
  for (let k = 0; k < t.sumDrop.length; k++)
    t.sumDrop[k] += outcome.cleanTrueProb - occluded[k * classes + outcome.label];
}

/** Adds `from` into `into`, class by class. */
export function mergeTotals(into: ClassTotals[], from: ClassTotals[]): void {
  from.forEach((f, c) => {
    const t = into[c];
    t.images += f.images;
    t.correctClean += f.correctClean;
    t.flipped += f.flipped;
    t.sumCleanTrueProb += f.sumCleanTrueProb;
    t.sumMinTrueProb += f.sumMinTrueProb;
    for (let k = 0; k < t.sumDrop.length; k++) t.sumDrop[k] += f.sumDrop[k];
  });
}

/** Mean drop map of a class (zeros when the class has no images). */
export function meanDrop(t: ClassTotals): number[] {
  return t.sumDrop.map((s) => (t.images ? s / t.images : 0));
}

export interface PopulationRow {
  label: string;
  images: number;
  correct_clean: number;
  flipped: number;
  /** flipped / correct_clean: the share of correctly classified images some single placement flips. */
  flip_share: string;
  mean_clean_true_prob: string;
  mean_min_true_prob: string;
  [key: string]: string | number;
}

function ratio(a: number, b: number): string {
  return b ? (a / b).toFixed(6) : '';
}

/** One row per class and a final `all` row. */
export function populationRows(totals: ClassTotals[]): PopulationRow[] {
  const row = (label: string, ts: ClassTotals[]): PopulationRow => {
    const sum = (f: (t: ClassTotals) => number) => ts.reduce((a, t) => a + f(t), 0);
    const images = sum((t) => t.images);
    const correct = sum((t) => t.correctClean);
    const flipped = sum((t) => t.flipped);
    return {
      label,
      images,
      correct_clean: correct,
      flipped,
      flip_share: ratio(flipped, correct),
      mean_clean_true_prob: ratio(
        sum((t) => t.sumCleanTrueProb),
        images,
      ),
      mean_min_true_prob: ratio(
        sum((t) => t.sumMinTrueProb),
        images,
      ),
    };
  };
  return [...totals.map((t) => row(String(t.label), [t])), row('all', totals)];
}

// "Which attribution to trust" on synthetic numbers: the sanity verdict flips at its threshold,
// the random order is the reference, and a method is named best only when its paired
// differences' intervals say so.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  comparePairwise,
  rankingSentence,
  rankMethods,
  readRankingCsv,
  writeRankingCsv,
} from '../../../src/attribution/faithfulness/ranking';
import type { FaithfulnessChunk } from '../../../src/attribution/faithfulness/summary';
import { sanityVerdict, type TrustRow } from '../../../src/attribution/faithfulness/trust';
import { readTrustCsv, writeTrustCsv } from '../../../src/attribution/faithfulness/trust-table';
import { mulberry32 } from '../../../src/random';
import { tempDir } from '../../helpers/temp-dir';

const row = (method: string, rho: number | null): TrustRow => ({
  method,
  deletionAuc: 0.3,
  deletionSd: 0.125,
  insertionAuc: 0.6,
  insertionSd: 0.25,
  sanitySpearman: method === 'random' ? null : rho,
  sanity: method === 'random' ? 'reference' : sanityVerdict(rho, 0.9),
  msPerImage: 1,
});

/** Chunks of `images` test images on two models; `score(method, image)` is deletion − insertion. */
function chunks(
  methods: string[],
  images: number,
  score: (method: string, image: number) => number,
): FaithfulnessChunk[] {
  return ['m1', 'm2'].flatMap((model) =>
    methods.map((method) => ({
      method,
      model,
      fractions: [0, 1],
      mapMs: 1,
      images: Array.from({ length: images }, (_, index) => {
        const s = score(method, index + (model === 'm2' ? 1000 : 0));
        return {
          index,
          label: 0,
          target: 0,
          deletion: [],
          insertion: [],
          deletionArea: 0.5 + s / 2,
          insertionArea: 0.5 - s / 2,
        };
      }),
    })),
  );
}

/** Independent noise per method and image, of this sd. */
const noise = (sd: number) => (method: string, image: number) => {
  const random = mulberry32(image * 31 + method.length * 7 + method.charCodeAt(0));
  return sd * (random() + random() + random() - 1.5) * 2;
};

test('the sanity verdict flips at the threshold', () => {
  expect(sanityVerdict(0.8999, 0.9)).toBe('passes');
  expect(sanityVerdict(0.9, 0.9)).toBe('fails');
  expect(sanityVerdict(null, 0.9)).toBe('not run');
});

test('a method clearly more faithful than every other passing one and the random order is named best', () => {
  const methods = ['occlusion', 'saliency', 'random'];
  const level: Record<string, number> = { occlusion: -0.3, saliency: -0.1, random: 0 };
  const comparisons = comparePairwise(
    methods,
    chunks(methods, 50, (m, i) => level[m] + noise(0.05)(m, i)),
  );
  expect(comparisons.map((c) => `${c.method}−${c.other}`)).toEqual([
    'occlusion−saliency',
    'occlusion−random',
    'saliency−random',
  ]);
  expect(comparisons[0]).toMatchObject({ models: 2, images: 100 });
  expect(comparisons[0].difference).toBeCloseTo(-0.2, 1);
  const rows = methods.map((m) => row(m, 0.5));
  expect(rankMethods(rows, comparisons)).toEqual({ kind: 'best', method: 'occlusion' });
  expect(rankingSentence(rows, comparisons)).toMatch(
    /^Best: occlusion\. Paired difference of its score from each other method's: saliency −0\.2\d\d \[−0\.2\d\d, −0\.1\d\d\]; random −0\.3/,
  );
  // Listed the other way round, the sentence still names each method occlusion is compared with.
  const reversed = comparePairwise(
    ['saliency', 'random', 'occlusion'],
    chunks(methods, 50, (m, i) => level[m] + noise(0.05)(m, i)),
  );
  expect(rankingSentence(rows, reversed)).toMatch(
    /^Best: occlusion\. Paired difference of its score from each other method's: saliency −0\.2\d\d \[−0\.2\d\d, −0\.1\d\d\]; random −0\.3/,
  );
  // The same numbers, but occlusion fails the sanity check: saliency is best among the rest.
  expect(
    rankMethods([row('occlusion', 0.95), row('saliency', 0.5), row('random', null)], comparisons),
  ).toEqual({
    kind: 'best',
    method: 'saliency',
  });
});

test('gaps within the images’ spread: no clear winner among the methods no other beats', () => {
  // The smoke run's case: -0.190, -0.134, -0.083 with sds of 0.15-0.17 over 20 images.
  const methods = ['occlusion', 'saliency', 'grad-cam', 'random'];
  const level: Record<string, number> = {
    occlusion: -0.19,
    saliency: -0.134,
    'grad-cam': -0.083,
    random: 0.2,
  };
  const comparisons = comparePairwise(
    methods,
    chunks(methods, 10, (m, i) => level[m] + noise(0.16)(m, i)),
  );
  const rows = methods.map((m) => row(m, 0.5));
  const ranking = rankMethods(rows, comparisons);
  expect(ranking.kind).toBe('no clear winner');
  expect(rankingSentence(rows, comparisons)).toMatch(
    /^No clear winner among occlusion, saliency(, grad-cam)?: /,
  );
});

test('paired on the same images: a small steady edge shows even when the images differ a lot', () => {
  const methods = ['a', 'b', 'random'];
  const hard = (image: number) => ((image * 37) % 19) / 10 - 1; // −1..0.8 from image to image
  const score = (m: string, i: number) => (m === 'random' ? 2 : hard(i) + (m === 'a' ? -0.02 : 0));
  const comparisons = comparePairwise(methods, chunks(methods, 30, score));
  expect(comparisons[0].high).toBeLessThan(0);
  expect(
    rankMethods(
      methods.map((m) => row(m, 0.5)),
      comparisons,
    ),
  ).toEqual({ kind: 'best', method: 'a' });
});

test('the random order is the reference: a method that does not beat it is no candidate; no check, no best', () => {
  const methods = ['saliency', 'random'];
  const comparisons = comparePairwise(
    methods,
    chunks(methods, 20, (m, i) => (m === 'saliency' ? 0.1 : 0) + noise(0.01)(m, i)),
  );
  const rows = [row('saliency', 0.5), row('random', null)];
  expect(rows[1].sanity).toBe('reference');
  expect(rankingSentence(rows, comparisons)).toBe(
    'No method is named best: no method passes the sanity check and beats the random order.',
  );
  expect(rankingSentence([row('saliency', 0.95), row('random', null)], comparisons)).toMatch(
    /\(failing the sanity check: saliency\)\.$/,
  );
  expect(rankingSentence([row('saliency', null), row('random', null)], comparisons)).toBe(
    'No method is named best: the sanity check was not run.',
  );
});

test('trust.csv and ranking.csv read back what was written, and a broken one is named', () => {
  const dir = tempDir();
  const file = path.join(dir, 'trust.csv');
  const rows = [row('saliency', 0.5), row('random', null)];
  writeTrustCsv(file, rows, 0.9);
  const read = readTrustCsv(file);
  expect(read.rows).toEqual(rows);
  expect(read.sanityRule).toContain('is still 0.9 or more');
  writeFileSync(file, 'method,deletion_auc\nx,1\n');
  expect(() => readTrustCsv(file)).toThrow(`${file}: expected the columns method, deletion_auc`);
  const ranking = path.join(dir, 'ranking.csv');
  const comparisons = comparePairwise(['a', 'b'], chunks(['a', 'b'], 5, noise(0.1)));
  writeRankingCsv(ranking, comparisons);
  expect(readRankingCsv(ranking).map((c) => c.images)).toEqual([10]);
  expect(readRankingCsv(ranking)[0].difference).toBeCloseTo(comparisons[0].difference, 6);
});

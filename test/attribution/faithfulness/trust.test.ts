// The two rules of "Which attribution to trust" on synthetic numbers: the verdicts and the best
// method flip exactly where the rules say.
import {
  bestMethod,
  bestSentence,
  sanityVerdict,
  type TrustRow,
} from '../../../src/attribution/faithfulness/trust';
import { readTrustCsv, writeTrustCsv } from '../../../src/attribution/faithfulness/trust-table';
import { tempDir } from '../../helpers/temp-dir';
import path from 'node:path';
import { writeFileSync } from 'node:fs';

const row = (method: string, deletionAuc: number, insertionAuc: number, rho: number | null): TrustRow => ({
  method,
  deletionAuc,
  deletionSd: 0.125,
  insertionAuc,
  insertionSd: 0.25,
  sanitySpearman: rho,
  sanity: sanityVerdict(rho, 0.9),
  msPerImage: 1,
});

test('the sanity verdict flips at the threshold', () => {
  expect(sanityVerdict(0.8999, 0.9)).toBe('passes');
  expect(sanityVerdict(0.9, 0.9)).toBe('fails');
  expect(sanityVerdict(null, 0.9)).toBe('not run');
});

test('the best method passes the sanity check, beats the random order and has the lowest deletion − insertion', () => {
  const rows = [
    row('saliency', 0.3, 0.6, 0.6),
    row('gradient-x-input', 0.1, 0.9, 0.99),
    row('grad-cam', 0.35, 0.6, 0.1),
    row('random', 0.5, 0.5, 1),
  ];
  expect(bestMethod(rows)?.method).toBe('saliency');
  expect(bestSentence(rows)).toBe(
    'By the rule "among the methods that pass the sanity check and score below the random order, the lowest mean deletion AUC minus mean insertion AUC", the best method is saliency (deletion AUC 0.300 − insertion AUC 0.600 = -0.300).',
  );
  // gradient-x-input would win on the curves alone; once it passes the check, it does.
  rows[1] = row('gradient-x-input', 0.1, 0.9, 0.5);
  expect(bestMethod(rows)?.method).toBe('gradient-x-input');
  // A method no better than the random order is never named.
  const worse = [row('saliency', 0.6, 0.5, 0.2), row('random', 0.5, 0.5, 1)];
  expect(bestMethod(worse)).toBeUndefined();
  expect(bestSentence(worse)).toMatch(/no method is named: no method qualifies\.$/);
  expect(bestSentence([row('saliency', 0.2, 0.7, 0.95)])).toMatch(
    /no method qualifies \(failing the sanity check: saliency\)\.$/,
  );
  expect(bestSentence([row('saliency', 0.2, 0.7, null)])).toMatch(/the sanity check was not run\.$/);
});

test('trust.csv reads back what was written, and a broken one is named', () => {
  const dir = tempDir();
  const file = path.join(dir, 'trust.csv');
  const rows = [row('saliency', 0.25, 0.625, 0.5), row('random', 0.5, 0.5, null)];
  writeTrustCsv(file, rows, 0.9);
  const read = readTrustCsv(file);
  expect(read.rows).toEqual(rows);
  expect(read.sanityRule).toContain('is still 0.9 or more');
  writeFileSync(file, 'method,deletion_auc\nx,1\n');
  expect(() => readTrustCsv(file)).toThrow(`${file}: expected the columns method, deletion_auc`);
});

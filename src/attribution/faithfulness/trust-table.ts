// trust.csv: the table of "Which attribution to trust", written by the faithfulness summary job
// and read back by the report (which builds its section from the published tables alone).
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { writeRecordsCsv } from '../../render/csv';
import { sanityRule, score, type SanityVerdict, type TrustRow } from './trust';

const COLUMNS = [
  'method',
  'deletion_auc',
  'deletion_auc_sd',
  'insertion_auc',
  'insertion_auc_sd',
  'deletion_minus_insertion',
  'sanity_spearman',
  'sanity',
  'ms_per_image',
  'sanity_rule',
] as const;

export function writeTrustCsv(file: string, rows: readonly TrustRow[], threshold: number): void {
  writeRecordsCsv(
    file,
    rows.map((r) => ({
      method: r.method,
      deletion_auc: r.deletionAuc.toFixed(6),
      deletion_auc_sd: r.deletionSd.toFixed(6),
      insertion_auc: r.insertionAuc.toFixed(6),
      insertion_auc_sd: r.insertionSd.toFixed(6),
      deletion_minus_insertion: score(r).toFixed(6),
      sanity_spearman: r.sanitySpearman === null ? '' : r.sanitySpearman.toFixed(6),
      sanity: r.sanity,
      ms_per_image: r.msPerImage.toFixed(2),
      sanity_rule: sanityRule(threshold),
    })),
    [...COLUMNS],
  );
}

const VERDICTS: SanityVerdict[] = ['passes', 'fails', 'not run', 'reference'];

/** The rows of a trust.csv; throws naming the file and what is wrong. */
export function readTrustCsv(file: string): { rows: TrustRow[]; sanityRule: string } {
  let records: Record<string, string>[];
  try {
    records = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true });
  } catch (err) {
    throw new Error(`${file}: cannot read the table (${(err as Error).message})`);
  }
  const missing = COLUMNS.filter((c) => records.length > 0 && !(c in records[0]));
  if (records.length === 0 || missing.length)
    throw new Error(
      `${file}: expected the columns ${COLUMNS.join(', ')}${missing.length ? `; missing ${missing.join(', ')}` : '; no rows'}`,
    );
  const rows = records.map((r, i) => {
    if (!VERDICTS.includes(r.sanity as SanityVerdict))
      throw new Error(`${file}: row ${i + 1}: sanity "${r.sanity}": expected ${VERDICTS.join(', ')}`);
    return {
      method: r.method,
      deletionAuc: Number(r.deletion_auc),
      deletionSd: Number(r.deletion_auc_sd),
      insertionAuc: Number(r.insertion_auc),
      insertionSd: Number(r.insertion_auc_sd),
      sanitySpearman: r.sanity_spearman === '' ? null : Number(r.sanity_spearman),
      sanity: r.sanity as SanityVerdict,
      msPerImage: Number(r.ms_per_image),
    };
  });
  return { rows, sanityRule: records[0].sanity_rule };
}

// `bptt-check`: compares the exact BPTT gradients with each independent check (finite
// differences, tfjs autodiff), reports each check's largest relative error, and fails the job
// when one exceeds its tolerance. With the homework approximation, also shows how far the
// approximate dL/db_f is from the finite differences (a report, never a failure).
// tables/checks.csv has one row per check and element: `reference` is the exact BPTT value (the
// finite-difference value for the homework rows), `value` the check's.
import path from 'node:path';
import type { NamedParameters, ParameterElement } from '../../rnn/parameters';
import { elementLabel, getElement } from '../../rnn/parameters';
import { departure, relativeError } from '../../rnn/relative-error';
import { writeRecordsCsv } from '../../render/csv';
import { defineJob } from '../../jobs/kind';
import { bpttExactJob, type ExactResult } from './exact-job';
import { bpttFiniteDifferencesJob, type FiniteDifferencesResult } from './finite-differences-job';
import type { CheckParams, Tolerance } from './jobs';
import { chunkNeed } from './jobs';
import { bpttTfjsJob } from './tfjs-job';

interface Comparison extends ParameterElement {
  label: string;
  exact: number;
  value: number;
  relativeError: number;
}

export interface CheckSummary {
  check: string;
  elements: number;
  maxRelativeError: number;
  worst: string;
  tolerance: number;
  floor: number;
  passed: boolean;
}

function compare(
  exact: ExactResult,
  values: (ParameterElement & { value: number })[],
  floor: number,
): Comparison[] {
  return values.map(({ parameter, index, value }) => {
    const gradient = exact.gradients[parameter];
    const exactValue = getElement(gradient, index);
    return {
      parameter,
      index,
      label: elementLabel(parameter, gradient, index),
      exact: exactValue,
      value,
      relativeError: relativeError(exactValue, value, floor),
    };
  });
}

function summarise(check: string, comparisons: Comparison[], { tolerance, floor }: Tolerance): CheckSummary {
  const worst = comparisons.reduce((a, b) => (b.relativeError > a.relativeError ? b : a));
  return {
    check,
    elements: comparisons.length,
    maxRelativeError: worst.relativeError,
    worst: worst.label,
    tolerance,
    floor,
    passed: worst.relativeError <= tolerance,
  };
}

function failureMessage(summary: CheckSummary, comparisons: Comparison[]): string {
  const worst = comparisons.find((c) => c.label === summary.worst)!;
  return (
    `${summary.check} vs exact BPTT: largest relative error ${summary.maxRelativeError.toExponential(3)} at ${summary.worst} ` +
    `(exact ${worst.exact}, ${summary.check} ${worst.value}) exceeds the tolerance ${summary.tolerance}`
  );
}

type CheckRow = Record<string, string | number | null>;

interface HomeworkDeparture {
  element: string;
  homework: number;
  finiteDifferences: number;
  relativeError: number | null;
}

/** The homework's dL/db_f against the finite differences: a measured departure, not a check. */
function homeworkDepartures(
  exact: ExactResult,
  finiteDifferences: FiniteDifferencesResult['elements'],
): HomeworkDeparture[] {
  const fd = finiteDifferences.filter((e) => e.parameter === 'forget.b').sort((a, b) => a.index - b.index);
  return fd.map((e) => ({
    element: `forget.b[${e.index}]`,
    homework: exact.homework!.total[e.index],
    finiteDifferences: e.value,
    relativeError: departure(exact.homework!.total[e.index], e.value),
  }));
}

/** Every element of every tfjs gradient, as the finite differences list theirs. */
function tfjsElements(gradients: NamedParameters): (ParameterElement & { value: number })[] {
  return Object.entries(gradients).flatMap(([parameter, gradient]) =>
    Array.from({ length: gradient.flat().length }, (_, index) => ({
      parameter,
      index,
      value: getElement(gradient, index),
    })),
  );
}

function writeCheckTables(dir: string, rows: CheckRow[], summaries: CheckSummary[]): void {
  writeRecordsCsv(path.join(dir, 'tables/checks.csv'), rows, [
    'check',
    'parameter',
    'element',
    'reference',
    'value',
    'relative_error',
  ]);
  writeRecordsCsv(
    path.join(dir, 'tables/check_summary.csv'),
    summaries.map((s) => ({
      check: s.check,
      elements: s.elements,
      max_relative_error: s.maxRelativeError,
      worst_element: s.worst,
      tolerance: s.tolerance,
      floor: s.floor,
      passed: s.passed ? 'yes' : 'no',
    })),
    ['check', 'elements', 'max_relative_error', 'worst_element', 'tolerance', 'floor', 'passed'],
  );
}

const CHECK_KIND = 'bptt-check';

export const bpttCheckJob = defineJob<CheckParams>({
  kind: CHECK_KIND,
  async run(params, ctx) {
    const exact = bpttExactJob.resultOf(ctx.needs.exact);
    const rows: CheckRow[] = [];
    const summaries: CheckSummary[] = [];
    const failures: string[] = [];
    const record = (check: string, comparisons: Comparison[], tolerance: Tolerance) => {
      for (const c of comparisons)
        rows.push({
          check,
          parameter: c.parameter,
          element: c.label,
          reference: c.exact,
          value: c.value,
          relative_error: c.relativeError,
        });
      const summary = summarise(check, comparisons, tolerance);
      summaries.push(summary);
      if (!summary.passed) failures.push(failureMessage(summary, comparisons));
    };

    let finiteDifferences: FiniteDifferencesResult['elements'] = [];
    if (params.finiteDifferences) {
      const chunks = Array.from({ length: params.finiteDifferences.chunks }, (_, i) =>
        bpttFiniteDifferencesJob.resultOf(ctx.needs[chunkNeed(i)]),
      );
      finiteDifferences = chunks.flatMap((chunk) => chunk.elements);
      record(
        'finite differences',
        compare(exact, finiteDifferences, params.finiteDifferences.floor),
        params.finiteDifferences,
      );
    }
    if (params.tfjs) {
      const tfjs = bpttTfjsJob.resultOf(ctx.needs.tfjs);
      const values = tfjsElements(tfjs.gradients);
      record(
        `tfjs autodiff (float32, ${tfjs.backend})`,
        compare(exact, values, params.tfjs.floor),
        params.tfjs,
      );
    }

    let homework: HomeworkDeparture[] | null = null;
    if (exact.homework) {
      homework = homeworkDepartures(exact, finiteDifferences);
      for (const h of homework)
        rows.push({
          check: 'homework approximation vs finite differences (not a check)',
          parameter: 'forget.b',
          element: h.element,
          reference: h.finiteDifferences,
          value: h.homework,
          relative_error: h.relativeError,
        });
    }

    writeCheckTables(ctx.dir, rows, summaries);
    if (failures.length > 0) throw new Error(`${CHECK_KIND}: ${failures.join('; ')}`);
    return { checks: summaries, homework };
  },
});

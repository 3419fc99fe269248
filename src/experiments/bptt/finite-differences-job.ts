// `bptt-finite-differences`: central finite differences in float64 for one chunk of parameter
// elements — the forward pass only, so it checks BPTT independently.
import { finiteDifference } from '../../rnn/finite-differences';
import type { JobKind, JsonValue } from '../kind';
import type { FiniteDifferencesParams } from './jobs';
import { FINITE_DIFFERENCES_KIND } from './jobs';

export interface FiniteDifferencesResult {
  step: number;
  points: number;
  elements: { parameter: string; index: number; value: number }[];
}

export const bpttFiniteDifferencesJob: JobKind<FiniteDifferencesParams> = {
  kind: FINITE_DIFFERENCES_KIND,
  version: '1',
  async run(params) {
    const { problem, elements, step, points } = params;
    const result: FiniteDifferencesResult = {
      step,
      points,
      elements: elements.map((element) => ({
        ...element,
        value: finiteDifference(problem, element, step, points),
      })),
    };
    return result as unknown as JsonValue;
  },
};

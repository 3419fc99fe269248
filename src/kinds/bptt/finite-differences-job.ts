// `bptt-finite-differences`: central finite differences in float64 for one chunk of parameter
// elements — the forward pass only, so it checks BPTT independently.
import { finiteDifference } from '../../rnn/finite-differences';
import { defineJob } from '../../jobs/kind';
import type { FiniteDifferencesParams } from './jobs';

export interface FiniteDifferencesResult {
  step: number;
  points: number;
  elements: { parameter: string; index: number; value: number }[];
}

export const bpttFiniteDifferencesJob = defineJob<FiniteDifferencesParams, FiniteDifferencesResult>({
  kind: 'bptt-finite-differences',
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
    return result;
  },
});

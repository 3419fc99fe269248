// `bptt-tfjs`: the same gradients by @tensorflow/tfjs autodiff, in float32 — a check by a
// different implementation of the whole chain rule (float32 limits it to about 1e-4 relative).
import type { BackendName } from '../../models/training-spec';
import type { NamedParameters, ParameterValue } from '../../rnn/parameters';
import { withTiedGradients } from '../../rnn/parameters';
import { defineJob } from '../../jobs/kind';
import type { TfjsParams } from './jobs';
import { tfjsLossFunction } from '../../rnn/tfjs-loss';

export interface TfjsResult {
  backend: string;
  loss: number;
  gradients: NamedParameters;
}

export const bpttTfjsJob = defineJob<TfjsParams, TfjsResult>({
  kind: 'bptt-tfjs',
  async run(params) {
    // Loaded here, not at the top, so that threads running only the float64 jobs never load tfjs
    // (require, not import(): jest cannot run a real dynamic import).
    const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
    const { useBackend, activeBackend } = require('../../tf/backend') as typeof import('../../tf/backend');
    await useBackend(params.backend as BackendName);
    const { problem } = params;
    const names = Object.keys(problem.parameters);
    const { loss, gradients } = tf.tidy(() => {
      const values = names.map((name) => tf.tensor(problem.parameters[name]));
      const { value, grads } = tf.valueAndGrads(tfjsLossFunction(tf, problem, names))(values);
      return {
        loss: value.dataSync()[0],
        gradients: Object.fromEntries(names.map((name, i) => [name, grads[i].arraySync() as ParameterValue])),
      };
    });
    const result: TfjsResult = {
      backend: activeBackend(),
      loss,
      gradients: withTiedGradients(gradients, problem.ties),
    };
    return result;
  },
});

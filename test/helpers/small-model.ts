// A real Figure 1 CNN trained briefly on a small real MNIST subset, for tests of probes.
// Trained once per test file through the `train` job kind, so its folder looks exactly like
// a needed train job's (model/, metrics) to the probe under test.
import { tempDir } from './temp-dir';
import type { JobContext, NeededJob } from '../../src/jobs/kind';
import { trainJob, type TrainParams, type TrainResult } from '../../src/kinds/train';
import { trainingSpecSchema } from '../../src/models/training-spec';

export function jobContext(
  dir: string,
  needs: Record<string, NeededJob> = {},
  cache = new Map<string, unknown>(),
): JobContext {
  return { dir, needs, cache, signal: new AbortController().signal, progress: () => {} };
}

export const SMALL_TRAIN: TrainParams = {
  seed: 1,
  data: { source: 'mnist', train: { first: 3000 }, test: { first: 1000 } },
  backend: 'wasm',
  training: trainingSpecSchema.parse({ epochs: 2, batchSize: 32, learningRate: 0.003, validationSplit: 0 }),
};

/** Trains the small model into a fresh folder and returns it as a needed job (`train`). */
export async function trainSmallModel(params: TrainParams = SMALL_TRAIN): Promise<NeededJob> {
  const dir = tempDir();
  const result = (await trainJob.run(params, jobContext(dir))) as unknown as TrainResult;
  return { id: `test-train-${params.seed}`, kind: 'train', dir, result: result as never };
}

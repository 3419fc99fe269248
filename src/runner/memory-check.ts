// Planning refuses a job whose network would not fit in memory: every job whose params carry a
// `layers` list trains that network (models/memory.ts estimates what it holds). Exit code 2
// before any job runs, naming the experiment and the estimate.
import { ConfigError, formatPath } from '../config-errors';
import type { ValidConfig } from '../config/validate';
import type { DataSpec } from '../data/spec';
import { formatBytes, trainingMemory, WASM_BUDGET } from '../models/memory';
import type { LayerSpec } from '../models/layers';
import { testLabels } from '../occlusion/test-labels';
import type { Plan } from '../plan/build-plan';

/** Batch size when a job's params name none (the training spec's default). */
const DEFAULT_BATCH = 32;

export function checkJobMemory(plan: Plan, config: ValidConfig, limit: number): void {
  const seen = new Set<string>();
  for (const job of plan.jobs) {
    const { layers, data, training } = job.params as {
      layers?: LayerSpec[];
      data?: DataSpec;
      training?: { batchSize?: number };
    };
    if (!Array.isArray(layers) || !data) continue;
    const batchSize = training?.batchSize ?? DEFAULT_BATCH;
    const seenKey = JSON.stringify([job.experiment, layers, data, batchSize]);
    if (seen.has(seenKey)) continue;
    seen.add(seenKey);
    const { rows, cols, channels } = testLabels(data);
    const estimate = trainingMemory(layers, [rows, cols, channels], batchSize);
    const cap = Math.min(limit, WASM_BUDGET);
    if (estimate.bytes <= cap) continue;
    const over =
      cap < limit
        ? `over the ${formatBytes(cap)} a job's tensors may take in the wasm backend's heap (4 GiB at most)`
        : `over the limit of ${formatBytes(cap)} per job (--max-memory; default: the machine's memory / workers)`;
    const index = config.experiments.find((e) => e.name === job.experiment)?.index ?? 0;
    throw new ConfigError(config.file, [
      {
        path: formatPath(['experiments', index, 'layers']),
        message: `training ${job.key} needs about ${formatBytes(estimate.bytes)} (${estimate.parameters.toLocaleString('en')} parameters with their gradients and Adam's moments, ${estimate.activations.toLocaleString('en')} layer outputs per image × batch ${batchSize} forward and back), ${over}: make the network smaller${cap < limit ? '' : ', or raise --max-memory'}`,
      },
    ]);
  }
}

// The params of the faithfulness job kinds, which the faithfulness experiment plans and its job
// module runs: here, so that neither imports the other (the job module, loaded alone by a worker,
// then no longer pulls in its planner).
import type { MethodSettings } from '../../attribution/settings';
import type { DataSpec } from '../../data/spec';
import type { ModelFileParam } from '../../jobs/model-source';
import type { BackendName } from '../../models/training-spec';
import type { FillSpec } from '../../occlusion/occlude';

/** A method as the jobs carry it: the readable label the tables use and its settings (none for `random`). */
export interface FaithfulnessMethod {
  label: string;
  settings: MethodSettings | null;
}

export interface FaithfulnessChunkParams {
  data: DataSpec;
  backend: BackendName;
  method: FaithfulnessMethod;
  indices: number[];
  target: 'label' | 'predicted';
  steps: number;
  baseline: FillSpec;
  seed: number;
  modelFile?: ModelFileParam;
}

export interface FaithfulnessParams {
  models: string[];
  methods: string[];
  chunks: number;
  sanity: boolean;
  sanityThreshold: number;
  steps: number;
}

/** The needs name of one chunk job in the summary job. */
export const chunkNeed = (part: 'curves' | 'sanity', model: string, method: string, chunk: number) =>
  `${part}/${model}/${method}/${chunk}`;

// The params of the occlusion job kinds, which the occlusion experiment plans and its job modules
// run: here, so that neither imports the other for them.
import type { DataSpec } from '../../data/spec';
import type { ModelFileParam } from '../../jobs/model-source';
import type { BackendName } from '../../models/training-spec';
import type { FillSpec } from '../../occlusion/occlude';

/** What every occlusion job needs to rebuild the same occluded images. */
export interface OcclusionSetting {
  data: DataSpec;
  backend: BackendName;
  patch: number;
  stride: number;
  fill: FillSpec;
}

export interface OcclusionChunkParams extends OcclusionSetting {
  index: number;
  /** Positions [start, end) of the grid. */
  start: number;
  end: number;
  /** Also predict the unoccluded image (the first chunk of each image does). */
  clean: boolean;
  modelFile?: ModelFileParam;
}

export interface OcclusionMapParams extends OcclusionSetting {
  index: number;
  label: number;
  threshold: number;
  scale: number;
  chunks: number;
}

export interface PopulationChunkParams extends OcclusionSetting {
  indices: number[];
  modelFile?: ModelFileParam;
}

export interface PopulationParams {
  data: DataSpec;
  patch: number;
  stride: number;
  fill: FillSpec;
  chunks: number;
  modelLabel: string;
}

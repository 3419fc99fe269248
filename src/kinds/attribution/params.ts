// The params of the attribution job kinds, which the attribution experiment plans and its job
// module runs: here, so that neither imports the other for them.
import type { MethodSettings } from '../../attribution/settings';
import type { DataSpec } from '../../data/spec';
import type { ModelFileParam } from '../../jobs/model-source';
import type { BackendName } from '../../models/training-spec';

export interface AttributionChunkParams {
  data: DataSpec;
  backend: BackendName;
  method: MethodSettings;
  indices: number[];
  target: 'label' | 'predicted';
  batchSize: number;
  modelFile?: ModelFileParam;
}

export interface AttributionMethodParams {
  data: DataSpec;
  method: MethodSettings;
  label: string;
  chunks: number;
}

export interface AttributionSheetParams {
  data: DataSpec;
  methods: string[];
  sheetImages: number;
}

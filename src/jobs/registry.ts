// Every experiment kind (coordinator side) and job kind (worker side) probelab knows.
// Add one line to each list per new kind.
import type { ExperimentKind, JobKind } from './kind';
import { trainExperiment, trainJob, trainSummaryJob } from '../kinds/train';
import { occlusionExperiment } from '../kinds/occlusion/occlusion';
import { occlusionChunkJob, occlusionMapJob } from '../kinds/occlusion/occlusion-maps';
import { populationChunkJob, populationJob } from '../kinds/occlusion/occlusion-population';
import { selftestExperiment, selftestJob } from '../kinds/selftest';
import { rnnGradientsExperiment } from '../kinds/bptt/rnn-gradients';
import { lstmGradientsExperiment } from '../kinds/bptt/lstm-gradients';
import { bpttExactJob } from '../kinds/bptt/exact-job';
import { bpttFiniteDifferencesJob } from '../kinds/bptt/finite-differences-job';
import { bpttTfjsJob } from '../kinds/bptt/tfjs-job';
import { bpttCheckJob } from '../kinds/bptt/check-job';
import { curvesExperiment, curvesJob } from '../kinds/curves';
import { filtersExperiment, filtersJob } from '../kinds/filters';
import { featureMapsExperiment, featureMapsJob } from '../kinds/feature-maps';
import { attributionExperiment } from '../kinds/attribution/attribution';
import {
  attributionChunkJob,
  attributionMethodJob,
  attributionSheetJob,
} from '../kinds/attribution/attribution-jobs';
import { shiftAccuracyChunkJob, shiftAccuracyJob, shiftExperiment, shiftStripJob } from '../kinds/shift';
import {
  batchNormBatchSizeExperiment,
  batchNormBatchSizeJob,
  batchNormTrainJob,
} from '../kinds/claims/batch-norm-batch-size';
import {
  batchNormStepTimeExperiment,
  batchNormStepTimeJob,
  stepBenchJob,
} from '../kinds/claims/batch-norm-step-time';
import {
  batchNormTestBatchExperiment,
  batchNormTestBatchJob,
  testBatchEvalJob,
} from '../kinds/claims/batch-norm-test-batch';
import {
  receptiveFieldsClaimExperiment,
  receptiveFieldsJob,
  receptiveFieldsVerdictJob,
} from '../kinds/claims/receptive-fields-claim';
import { parametersClaimExperiment, parametersClaimJob } from '../kinds/claims/parameters-claim';
import { poolingClaimExperiment, poolingClaimJob } from '../kinds/claims/pooling-claim';
import { faithfulnessExperiment } from '../kinds/attribution-faithfulness/attribution-faithfulness';
import {
  faithfulnessChunkJob,
  faithfulnessJob,
  sanityChunkJob,
} from '../kinds/attribution-faithfulness/attribution-faithfulness-jobs';
import { dropoutConvergenceExperiment, dropoutConvergenceJob } from '../kinds/claims/dropout-convergence';
import {
  capacityMeasureJob,
  dropoutCapacityExperiment,
  dropoutCapacityJob,
} from '../kinds/claims/dropout-capacity';
import {
  dropoutSparsityExperiment,
  dropoutSparsityJob,
  sparsityMeasureJob,
} from '../kinds/claims/dropout-sparsity';
import {
  dropoutVarianceShiftExperiment,
  dropoutVarianceShiftJob,
  varianceShiftMeasureJob,
} from '../kinds/claims/dropout-variance-shift';

export const experimentKinds: ExperimentKind[] = [
  trainExperiment,
  occlusionExperiment,
  selftestExperiment,
  rnnGradientsExperiment,
  lstmGradientsExperiment,
  curvesExperiment,
  filtersExperiment,
  featureMapsExperiment,
  shiftExperiment,
  batchNormBatchSizeExperiment,
  batchNormStepTimeExperiment,
  batchNormTestBatchExperiment,
  receptiveFieldsClaimExperiment,
  parametersClaimExperiment,
  poolingClaimExperiment,
  faithfulnessExperiment,
  attributionExperiment,
  dropoutConvergenceExperiment,
  dropoutCapacityExperiment,
  dropoutSparsityExperiment,
  dropoutVarianceShiftExperiment,
];

export const jobKinds: JobKind[] = [
  trainJob,
  trainSummaryJob,
  occlusionChunkJob,
  occlusionMapJob,
  populationChunkJob,
  populationJob,
  selftestJob,
  bpttExactJob,
  bpttFiniteDifferencesJob,
  bpttTfjsJob,
  bpttCheckJob,
  curvesJob,
  filtersJob,
  featureMapsJob,
  shiftStripJob,
  shiftAccuracyChunkJob,
  shiftAccuracyJob,
  batchNormTrainJob,
  batchNormBatchSizeJob,
  stepBenchJob,
  batchNormStepTimeJob,
  testBatchEvalJob,
  batchNormTestBatchJob,
  receptiveFieldsJob,
  receptiveFieldsVerdictJob,
  parametersClaimJob,
  poolingClaimJob,
  faithfulnessChunkJob,
  sanityChunkJob,
  faithfulnessJob,
  attributionChunkJob,
  attributionMethodJob,
  attributionSheetJob,
  dropoutConvergenceJob,
  capacityMeasureJob,
  dropoutCapacityJob,
  sparsityMeasureJob,
  dropoutSparsityJob,
  varianceShiftMeasureJob,
  dropoutVarianceShiftJob,
];

// Every experiment kind (coordinator side) and job kind (worker side) probelab knows.
// Add one line to each list per new kind.
import type { ExperimentKind, JobKind } from './kind';
import { trainExperiment, trainJob, trainSummaryJob } from './train';
import { occlusionExperiment } from './occlusion';
import { occlusionChunkJob, occlusionMapJob } from './occlusion-maps';
import { populationChunkJob, populationJob } from './occlusion-population';
import { selftestExperiment, selftestJob } from './selftest';
import { rnnGradientsExperiment } from './rnn-gradients';
import { lstmGradientsExperiment } from './lstm-gradients';
import { bpttExactJob } from './bptt/exact-job';
import { bpttFiniteDifferencesJob } from './bptt/finite-differences-job';
import { bpttTfjsJob } from './bptt/tfjs-job';
import { bpttCheckJob } from './bptt/check-job';
import { curvesExperiment, curvesJob } from './curves';
import { filtersExperiment, filtersJob } from './filters';
import { featureMapsExperiment, featureMapsJob } from './feature-maps';
import { attributionExperiment } from './attribution';
import { attributionChunkJob, attributionMethodJob, attributionSheetJob } from './attribution-jobs';
import { shiftAccuracyChunkJob, shiftAccuracyJob, shiftExperiment, shiftStripJob } from './shift';
import {
  batchNormBatchSizeExperiment,
  batchNormBatchSizeJob,
  batchNormTrainJob,
} from '../claims/batch-norm-batch-size';
import {
  batchNormStepTimeExperiment,
  batchNormStepTimeJob,
  stepBenchJob,
} from '../claims/batch-norm-step-time';
import {
  batchNormTestBatchExperiment,
  batchNormTestBatchJob,
  testBatchEvalJob,
} from '../claims/batch-norm-test-batch';
import {
  receptiveFieldsClaimExperiment,
  receptiveFieldsJob,
  receptiveFieldsVerdictJob,
} from '../claims/receptive-fields-claim';
import { parametersClaimExperiment, parametersClaimJob } from '../claims/parameters-claim';
import { poolingClaimExperiment, poolingClaimJob } from '../claims/pooling-claim';
import { faithfulnessExperiment } from './attribution-faithfulness';
import { faithfulnessChunkJob, faithfulnessJob, sanityChunkJob } from './attribution-faithfulness-jobs';
import { dropoutConvergenceExperiment, dropoutConvergenceJob } from '../claims/dropout-convergence';
import {
  capacityMeasureJob,
  dropoutCapacityExperiment,
  dropoutCapacityJob,
} from '../claims/dropout-capacity';
import {
  dropoutSparsityExperiment,
  dropoutSparsityJob,
  sparsityMeasureJob,
} from '../claims/dropout-sparsity';
import {
  dropoutVarianceShiftExperiment,
  dropoutVarianceShiftJob,
  varianceShiftMeasureJob,
} from '../claims/dropout-variance-shift';

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

// Every probe job without a model file needs a train job as `needs.model`, and says so the same
// way when it is missing (one guard, jobs/shared.ts neededTrainJob).
import { jobKinds } from '../../src/jobs/registry';
import { jobContext } from '../helpers/small-model';
import { tempDir } from '../helpers/temp-dir';

const setting = { data: { source: 'mnist', test: { first: 100 } }, backend: 'wasm' };
const probes: [string, object][] = [
  ['filters', { scale: 8 }],
  ['feature-maps', { ...setting, images: [{ index: 0, label: 7 }] }],
  ['shift-strip', { ...setting, image: { index: 0, label: 7 }, maxShift: 2, scale: 4 }],
  ['shift-accuracy-chunk', { ...setting, shift: 1 }],
  [
    'occlusion-chunk',
    { ...setting, patch: 8, stride: 4, fill: 'black', index: 0, start: 0, end: 4, clean: true },
  ],
  ['occlusion-population-chunk', { ...setting, patch: 8, stride: 4, fill: 'black', indices: [0] }],
];

test.each(probes)(
  '%s without a model file or needs.model fails saying what it expected',
  async (kind, params) => {
    const job = jobKinds.find((k) => k.kind === kind)!;
    await expect(job.run(params, jobContext(tempDir()))).rejects.toThrow(
      'no model: expected a model file in the params or a needed train job (needs.model)',
    );
  },
);

// A worker thread finds each job kind through job-modules.ts instead of the whole registry: every
// kind of index.ts must be in one module of the list, which exports exactly that kind object.
import { jobKinds } from '../../src/jobs/registry';
import { JOB_MODULES, jobKindIn, jobKindModules } from '../../src/jobs/job-modules';

test('every job kind is found in its module, and every listed module defines some job kind', () => {
  const modules = jobKindModules(jobKinds);
  expect(Object.keys(modules).sort()).toEqual(jobKinds.map((kind) => kind.kind).sort());
  for (const kind of jobKinds)
    expect(jobKindIn(require(`../../src/jobs/${modules[kind.kind]}`), kind.kind)).toBe(kind);
  expect(new Set(Object.values(modules))).toEqual(new Set(JOB_MODULES));
});

test('a kind its module does not export is not found', () => {
  expect(jobKindIn(require('../../src/kinds/occlusion/occlusion-population'), 'train')).toBeUndefined();
  expect(jobKindIn({ train: { kind: 'train' } }, 'train')).toBeUndefined();
});

// Kinds register themselves: the registry finds every kind of src/kinds without a list, and the
// module it names for a job kind is the one a worker loads to run it.
import path from 'node:path';
import { registered } from '../../src/jobs/kind';
import { experimentKinds, jobKinds, KINDS_DIR, kindModuleNames, kindModuleOf } from '../../src/jobs/registry';

test('every job kind is exported by the module the registry names for it', () => {
  expect(jobKinds.length).toBeGreaterThan(30);
  for (const kind of jobKinds) {
    const exports = require(path.join(KINDS_DIR, kindModuleOf(kind.kind))) as Record<string, unknown>;
    expect(Object.values(exports)).toContain(kind);
  }
});

test('the registry holds every kind defined in the kinds folder, sorted by name, each once', () => {
  expect(jobKinds).toEqual([...registered.jobs.values()].sort((a, b) => a.kind.localeCompare(b.kind)));
  expect(experimentKinds.map((k) => k.kind)).toEqual(
    [...registered.experiments.keys()].sort((a, b) => a.localeCompare(b)),
  );
  expect(experimentKinds.map((k) => k.kind)).toEqual(
    expect.arrayContaining(['train', 'occlusion', 'attribution']),
  );
  expect(kindModuleNames()).toEqual(
    expect.arrayContaining(['train', 'claims/pooling-claim', 'bptt/exact-job']),
  );
});

test('a job kind name is not taken twice', () => {
  const { defineJob } = require('../../src/jobs/kind') as typeof import('../../src/jobs/kind');
  expect(() => defineJob({ kind: 'train', run: async () => null })).toThrow(
    'two job kinds are named "train": rename one (kind names are unique)',
  );
});

test('an unknown job kind names the kinds folder', () => {
  expect(() => kindModuleOf('nope')).toThrow(`no job kind "nope" in ${KINDS_DIR}`);
});

// What a valid config becomes: defaults filled in, sweep points with their configs, experiments
// in the order their references need; YAML reads like JSON.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../../src/config/load';
import { validateConfig } from '../../src/config/validate';
import { experimentKinds } from '../../src/jobs/registry';
import type { ExpandContext, ExperimentKind } from '../../src/jobs/kind';
import { buildPlan } from '../../src/plan/build-plan';
import { jobKinds } from '../../src/jobs/registry';
import { tempDir } from '../helpers/temp-dir';

test('defaults are filled in; training holds only the settings the config gives', () => {
  const config = validateConfig(
    { experiments: [{ name: 'a', kind: 'selftest' }] },
    'configs/x.json',
    experimentKinds,
  );
  expect(config.name).toBe('x');
  expect(config.defaults).toEqual({
    data: { source: 'mnist' },
    backend: 'wasm',
    seeds: [1],
    training: {},
    outputDir: 'outputs',
  });
  const tuned = validateConfig(
    { name: 'tuned', defaults: { training: { epochs: 2 } }, experiments: [{ name: 'a', kind: 'selftest' }] },
    'x.json',
    experimentKinds,
  );
  expect(tuned.name).toBe('tuned');
  expect(tuned.defaults.training).toEqual({ epochs: 2 });
  expect(tuned.experiments[0].points).toEqual([
    { label: undefined, prefix: 'a', config: { jobs: 1, action: 'compute', ms: 0, rows: 3 } },
  ]);
});

test('sweeps over nested fields; experiments get the defaults and models of the experiments they reference', () => {
  const seen: { prefix: string; defaults: unknown; models: unknown }[] = [];
  const nested: ExperimentKind<{ opt: { rate: number; size: number }; model?: string }> = {
    kind: 'nested',
    description: 'A kind with a nested field.',
    schema: z
      .object({
        opt: z.object({ rate: z.number().positive(), size: z.number().int().default(3) }).strict(),
        model: z.string().optional(),
      })
      .strict(),
    references: (c) => (c.model ? [c.model] : []),
    expand(c, ctx: ExpandContext) {
      seen.push({
        prefix: ctx.prefix,
        defaults: ctx.defaults.seeds,
        models: c.model ? ctx.modelsOf(c.model).map((m) => m.key) : [],
      });
      return [];
    },
  };
  const kinds = [nested, ...experimentKinds];
  // The probe comes first in the file but is expanded after the experiment it reads.
  const value = {
    defaults: { seeds: [4] },
    experiments: [
      { name: 'probe', kind: 'nested', opt: { rate: 1 }, model: 'src' },
      { name: 'src', kind: 'selftest', jobs: 2 },
      { name: 'swept', kind: 'nested', opt: { size: 5 }, sweep: { 'opt.rate': [0.5, 2] } },
    ],
  };
  const config = validateConfig(value, 'n.json', kinds);
  expect(config.experiments.map((e) => e.name)).toEqual(['src', 'probe', 'swept']);
  expect(config.experiments[2].points.map((p) => [p.prefix, p.config])).toEqual([
    ['swept/rate=0.5', { opt: { rate: 0.5, size: 5 } }],
    ['swept/rate=2', { opt: { rate: 2, size: 5 } }],
  ]);
  buildPlan(config, jobKinds);
  expect(seen).toEqual([
    { prefix: 'probe', defaults: [4], models: ['src/seed=4/job=0', 'src/seed=4/job=1'] },
    { prefix: 'swept/rate=0.5', defaults: [4], models: [] },
    { prefix: 'swept/rate=2', defaults: [4], models: [] },
  ]);
  const bad = { experiments: [{ name: 'swept', kind: 'nested', opt: {}, sweep: { 'opt.rate': [1, -1] } }] };
  expect(() => validateConfig(bad, 'n.json', kinds)).toThrow(
    'n.json: experiments[0].sweep.opt.rate[1]: expected a positive number, got -1',
  );
});

test('YAML and JSON of the same config are the same config', () => {
  const dir = tempDir();
  const json = {
    defaults: { seeds: [1, 2] },
    experiments: [{ name: 'a', kind: 'selftest', sweep: { ms: [1, 2] } }],
  };
  writeFileSync(path.join(dir, 'c.json'), JSON.stringify(json));
  writeFileSync(
    path.join(dir, 'c.yaml'),
    'defaults:\n  seeds: [1, 2]\nexperiments:\n  - name: a\n    kind: selftest\n    sweep:\n      ms: [1, 2]\n',
  );
  const a = loadConfig('c.json', experimentKinds, dir);
  const b = loadConfig('c.yaml', experimentKinds, dir);
  expect({ ...b, file: a.file }).toEqual(a);
});

test('the shipped configs are valid and plan', () => {
  for (const name of ['smoke', 'all', 'architectures']) {
    const file = path.join(__dirname, '..', '..', 'configs', `${name}.json`);
    const config = loadConfig(file, experimentKinds);
    expect(config.name).toBe(name);
    expect(buildPlan(config, jobKinds).jobs.length).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).$schema).toBe('../schema/config.schema.json');
  }
});

// The job graph: content ids that stay put when nothing changed and change exactly downstream
// of a change; the checks on what experiments plan.
import { z } from 'zod';
import { ConfigError } from '../../src/config-errors';
import { validateConfig } from '../../src/config/validate';
import { experimentKinds, jobKinds, kindModuleOf } from '../../src/jobs/registry';
import type { ExperimentKind, JobKind, PlannedJob } from '../../src/jobs/kind';
import { buildPlan, type Plan } from '../../src/plan/build-plan';
import { canonicalJson } from '../../src/canonical-json';
import { jobId } from '../../src/plan/job-id';
import { kindCodeDigest } from '../../src/jobs/code-identity';
import { mulberry32 } from '../../src/random';

/** Each kind's code as the registry's modules give it; a kind of this file's own (fake) has none. */
const realCode = (kind: string) => (kind === 'fake' ? 'fake-code' : kindCodeDigest(kindModuleOf(kind)));

function plan(
  config: unknown,
  kinds: readonly ExperimentKind[] = experimentKinds,
  jobs: readonly JobKind[] = jobKinds,
  codeOf: (kind: string) => string = realCode,
): Plan {
  return buildPlan(validateConfig(config, 'test.json', kinds), jobs, undefined, codeOf);
}

const idsByKey = (p: Plan) => new Map(p.jobs.map((j) => [j.key, j.id]));

function changedKeys(a: Plan, b: Plan): string[] {
  const before = idsByKey(a);
  return b.jobs
    .filter((j) => before.get(j.key) !== j.id)
    .map((j) => j.key)
    .sort();
}

const graph = (baseMs: number, derivedRows: number) => ({
  experiments: [
    { name: 'base', kind: 'selftest', jobs: 2, ms: baseMs },
    { name: 'derived', kind: 'selftest', from: 'base', rows: derivedRows },
    { name: 'other', kind: 'selftest', jobs: 2 },
  ],
});

describe('content ids', () => {
  test('the same config gives the same ids; a change moves exactly the jobs downstream of it', () => {
    const a = plan(graph(10, 3));
    expect(idsByKey(plan(graph(10, 3)))).toEqual(idsByKey(a));
    expect(changedKeys(a, plan(graph(20, 3)))).toEqual([
      'base/seed=1/job=0',
      'base/seed=1/job=1',
      'derived/seed=1/job=0',
    ]);
    expect(changedKeys(a, plan(graph(10, 5)))).toEqual(['derived/seed=1/job=0']);
  });

  test("a job kind's code is part of its ids: another digest of selftest's code moves every selftest job", () => {
    const a = plan(graph(10, 3));
    const changed = (kind: string) => (kind === 'selftest' ? `${realCode(kind)}-changed` : realCode(kind));
    expect(changedKeys(a, plan(graph(10, 3), experimentKinds, jobKinds, changed))).toHaveLength(
      a.jobs.length,
    );
  });

  test('ids do not depend on key order in params, and jobs come after what they need', () => {
    const random = mulberry32(7);
    const value = (depth: number): unknown => {
      const r = random();
      if (depth > 2 || r < 0.3) return Math.round(random() * 1000) / 10;
      if (r < 0.45) return `s${Math.floor(random() * 100)}`;
      if (r < 0.6) return [value(depth + 1), value(depth + 1)];
      return Object.fromEntries(
        Array.from({ length: 1 + Math.floor(random() * 4) }, (_, i) => [`k${i}`, value(depth + 1)]),
      );
    };
    const shuffled = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(shuffled);
      if (v === null || typeof v !== 'object') return v;
      const entries = Object.entries(v).map(([k, x]) => [k, shuffled(x)] as const);
      entries.sort(() => random() - 0.5);
      return Object.fromEntries(entries);
    };
    for (let i = 0; i < 200; i++) {
      const params = value(0);
      const other = shuffled(params);
      expect(canonicalJson(other)).toBe(canonicalJson(params));
      expect(JSON.parse(canonicalJson(params))).toEqual(params);
      expect(jobId({ kind: 'k', code: '1', params: other, needs: {} })).toBe(
        jobId({ kind: 'k', code: '1', params, needs: {} }),
      );
    }
    const p = plan(graph(10, 3));
    const position = new Map(p.jobs.map((j, i) => [j.id, i]));
    for (const [i, job] of p.jobs.entries())
      for (const need of Object.values(job.needs)) expect(position.get(need.id)!).toBeLessThan(i);
  });

  test('canonical JSON refuses what JSON cannot hold', () => {
    expect(() => canonicalJson({ a: NaN })).toThrow('$.a: NaN is not a finite number');
    expect(() => canonicalJson({ a: new Map() })).toThrow('$.a: a Map object is not JSON');
  });
});

describe('sweeps and seeds', () => {
  test('a sweep expands as a grid, seeds multiply it, keys carry the labels', () => {
    const p = plan({
      defaults: { seeds: [1, 2] },
      experiments: [{ name: 'g', kind: 'selftest', sweep: { ms: [1, 2], rows: [0, 4] } }],
    });
    expect(p.jobs.map((j) => j.key)).toEqual([
      'g/ms=1,rows=0/seed=1/job=0',
      'g/ms=1,rows=0/seed=2/job=0',
      'g/ms=1,rows=4/seed=1/job=0',
      'g/ms=1,rows=4/seed=2/job=0',
      'g/ms=2,rows=0/seed=1/job=0',
      'g/ms=2,rows=0/seed=2/job=0',
      'g/ms=2,rows=4/seed=1/job=0',
      'g/ms=2,rows=4/seed=2/job=0',
    ]);
    expect(p.jobs[2].params).toMatchObject({ ms: 1, rows: 4, seed: 1 });
  });
});

/** A kind that plans whatever a test gives it. */
function fakeKind(
  name: string,
  jobs: (prefix: string) => PlannedJob[],
  extra: Partial<ExperimentKind> = {},
): ExperimentKind {
  return {
    kind: name,
    description: 'A kind that plans what the test gives it.',
    schema: z.object({ from: z.string().optional() }).strict(),
    expand: (_c, ctx) => jobs(ctx.prefix),
    ...extra,
  } as ExperimentKind;
}
const fakeJob: JobKind = { kind: 'fake', run: async () => null };

function planError(
  jobs: (prefix: string) => PlannedJob[],
  extra: Partial<ExperimentKind> = {},
  experiments: object[] = [{ name: 'x', kind: 'fake' }],
): string {
  try {
    plan({ experiments }, [fakeKind('fake', jobs, extra), ...experimentKinds], [fakeJob, ...jobKinds]);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('checks on planned jobs', () => {
  const job = (key: string, more: Partial<PlannedJob> = {}): PlannedJob => ({
    key,
    kind: 'fake',
    params: { key },
    ...more,
  });

  test('keys must be unique and start with the experiment name', () => {
    expect(planError((p) => [job(`${p}/a`), { ...job(`${p}/a`), params: { other: 1 } }])).toBe(
      'test.json: experiments[0]: job key "x/a" is also planned by experiments[0]',
    );
    expect(planError(() => [job('y/a')])).toBe(
      'test.json: experiments[0]: job key "y/a" does not start with the experiment name "x"',
    );
    expect(planError((p) => [job(`${p}/../a`)])).toBe(
      'test.json: experiments[0]: job key "x/../a" is not a path of plain segments',
    );
  });

  test('needs must exist and not form a cycle; job kinds must be known', () => {
    expect(planError((p) => [job(`${p}/a`, { needs: { m: 'x/b' } })])).toBe(
      'test.json: experiments[0]: job "x/a" needs "x/b" (as "m"), which no experiment plans',
    );
    expect(
      planError((p) => [job(`${p}/a`, { needs: { m: 'x/b' } }), job(`${p}/b`, { needs: { m: 'x/a' } })]),
    ).toBe('test.json: experiments[0]: jobs need each other in a cycle: x/a, x/b');
    expect(planError((p) => [{ ...job(`${p}/a`), kind: 'nope' }])).toBe(
      'test.json: experiments[0]: job "x/a" has job kind "nope", which no worker runs (add it to jobKinds in src/jobs/registry.ts)',
    );
  });

  test('two keys computing the same thing, bad publish paths, models of a kind that trains none', () => {
    expect(
      planError((p) => [
        { ...job(`${p}/a`), params: {} },
        { ...job(`${p}/b`), params: {} },
      ]),
    ).toBe(
      'test.json: experiments[0]: jobs "x/a" and "x/b" would compute the same thing (same kind, params and needs)',
    );
    expect(planError((p) => [job(`${p}/a`, { publish: ['x.csv'] })])).toBe(
      'test.json: experiments[0]: job "x/a" publishes "x.csv": expected a relative path inside a folder, such as tables/x.csv',
    );
    const probe = { references: (c: { from?: string }) => (c.from ? [c.from] : []) };
    const probing = fakeKind('probe', () => [], {
      ...probe,
      expand: (c: { from?: string }, ctx) => {
        ctx.modelsOf(c.from!);
        return [];
      },
    });
    expect(() =>
      plan(
        {
          experiments: [
            { name: 'x', kind: 'fake' },
            { name: 'p', kind: 'probe', from: 'x' },
          ],
        },
        [fakeKind('fake', () => []), probing],
        [fakeJob],
      ),
    ).toThrow('test.json: experiments[1]: experiment "x" (kind "fake") trains no models');
  });
});

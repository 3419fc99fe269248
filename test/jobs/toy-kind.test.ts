// Adding a kind is adding one file: a copy of the built package gets one new module in its kinds
// folder, and the CLI lists the kind, plans it from a config and runs its job through the pool,
// with no list edited anywhere.
import { cpSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { tempDir } from '../helpers/temp-dir';

const ROOT = path.join(__dirname, '..', '..');

// Plain CommonJS as tsc would build it from src/kinds/toy.ts: the kind's only file.
const TOY_KIND = `
const path = require('node:path');
const { z } = require('zod');
const { defineExperiment, defineJob } = require('../jobs/kind');
const { writeRecordsCsv } = require('../render/csv');

const toyJob = defineJob({
  kind: 'toy-square',
  async run(params, ctx) {
    const rows = Array.from({ length: params.n }, (_, i) => ({ i, square: i * i }));
    writeRecordsCsv(path.join(ctx.dir, 'tables', 'squares.csv'), rows);
    return { sum: rows.reduce((s, r) => s + r.square, 0) };
  },
});

const toyExperiment = defineExperiment({
  kind: 'toy',
  description: 'Squares of 0..n-1 (a test kind).',
  schema: z.object({ n: z.number().int().positive().describe('How many squares.') }).strict(),
  expand(config, ctx) {
    return [
      toyJob.plan({ key: ctx.prefix + '/n=' + config.n, params: { n: config.n }, cost: 1, publish: ['tables/squares.csv'] }),
    ];
  },
});

module.exports = { toyJob, toyExperiment };
`;

function cli(dir: string, args: string[]) {
  return spawnSync(process.execPath, [path.join(dir, 'dist', 'src', 'cli.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
  });
}

test('a kind added as one file in the kinds folder is listed, planned and run by the CLI', () => {
  const dir = tempDir();
  cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  cpSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const kinds = path.join(dir, 'dist', 'src', 'kinds');
  expect(existsSync(path.join(kinds, 'toy.js'))).toBe(false);
  writeFileSync(path.join(kinds, 'toy.js'), TOY_KIND);
  writeFileSync(
    path.join(dir, 'toy.json'),
    JSON.stringify({ name: 'toy', experiments: [{ name: 'squares', kind: 'toy', n: 4 }] }),
  );

  const listed = cli(dir, ['kinds']);
  expect(listed.status).toBe(0);
  expect(listed.stdout).toMatch(/toy\s+Squares of 0\.\.n-1/);

  const run = cli(dir, ['toy.json', '--workers', '1', '--progress', 'none']);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const runDir = path.join(dir, 'outputs', 'toy');
  const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
  expect(summary.counts).toMatchObject({ total: 1, done: 1, failed: 0 });
  expect(readFileSync(path.join(runDir, 'tables', 'squares', 'n=4', 'squares.csv'), 'utf8')).toBe(
    'i,square\n0,0\n1,1\n2,4\n3,9\n',
  );

  // A bad field of the new kind is checked by its own schema, like any kind's.
  writeFileSync(
    path.join(dir, 'bad.json'),
    JSON.stringify({ name: 'bad', experiments: [{ name: 'squares', kind: 'toy', n: 0 }] }),
  );
  const bad = cli(dir, ['bad.json', '--progress', 'none']);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/experiments\[0\]\.n/);
});

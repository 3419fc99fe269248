// `{ "onnx": "model.onnx" }` as a probe's model: the shipped example config on the PyTorch
// fixture through the real runner and worker pool (dist/: build first), its occlusion tables
// against PyTorch's map, content-hashed job ids, and every planning error (exit 2, file named).
import { copyFileSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { runExperiments } from '../../src/runner/run';
import { ROOT, runCli, snapshot, writeConfig } from '../helpers/runner';
import { planningError } from '../helpers/planning-error';
import { tempDir } from '../helpers/temp-dir';
import { FIXTURES, torchFixture } from './onnx-fixture';

const DATA = { source: 'mnist', test: { first: 200 } };
const MODEL = path.join(FIXTURES, 'figure1-mnist.onnx');

/** A published map table (header row of column offsets, each row its row offset) as numbers, row-major. */
function readMapTable(file: string): number[] {
  const rows = readFileSync(file, 'utf8').trim().split('\n').slice(1);
  return rows.flatMap((row) => row.split(',').slice(1).map(Number));
}

test('configs/examples/onnx-occlusion.json: occlusion tables equal PyTorch’s map within 1e-5, every probe titled by the model’s name', async () => {
  const out = tempDir();
  const run = await runCli(
    ['configs/examples/onnx-occlusion.json', '--out', out, '--workers', '2', '--progress', 'none'],
    ROOT,
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const { fixture } = torchFixture('figure1-mnist');
  for (const image of fixture.images) {
    const table = path.join(
      out,
      'onnx-occlusion',
      'tables',
      'occlusion',
      'onnx',
      `image=${image.index}`,
      `prob_of_${image.label}.csv`,
    );
    const ours = readMapTable(table);
    const torch = image.occlusion.filter((_, i) => i % 10 === image.label);
    expect(ours).toHaveLength(torch.length);
    // The table has 6 decimals: within 1e-5 of PyTorch's float64 softmax means within 1e-5 + 5e-7.
    ours.forEach((p, k) => expect(Math.abs(p - torch[k])).toBeLessThan(1e-5 + 5e-7));
  }
  const jobs = path.join(out, 'onnx-occlusion', 'jobs');
  const titles = readdirSync(jobs)
    .map((id) => JSON.parse(readFileSync(path.join(jobs, id, 'result.json'), 'utf8')).result)
    .filter((result) => typeof result?.model === 'string')
    .map((result) => result.model);
  expect(titles.length).toBeGreaterThan(5);
  expect(new Set(titles)).toEqual(new Set(['my PyTorch model']));
  const shift = readFileSync(
    path.join(out, 'onnx-occlusion', 'tables', 'shift', 'onnx', 'accuracy', 'accuracy_vs_shift.csv'),
    'utf8',
  );
  expect(shift.split('\n').length).toBeGreaterThan(3);
}, 180_000);

describe('the job ids hash the model’s bytes', () => {
  const root = tempDir('probelab-onnx-ids-');
  const run = (model: string) => {
    writeConfig(root, 'ids.json', {
      name: 'ids',
      defaults: { data: DATA },
      experiments: [{ name: 'o', kind: 'occlusion', model: { onnx: model }, images: [0], stride: 4 }],
    });
    return runExperiments({ config: 'ids.json', cwd: root, workers: 1, progress: 'none', log: () => {} });
  };

  test('moving the file reruns nothing; changing one weight reruns its probes', async () => {
    copyFileSync(MODEL, path.join(root, 'a.onnx'));
    const first = await run('a.onnx');
    expect(first.exitCode).toBe(0);
    expect(first.counts.ranNow).toBeGreaterThan(1);
    renameSync(path.join(root, 'a.onnx'), path.join(root, 'b.onnx'));
    const moved = await run('b.onnx');
    expect(moved.counts.ranNow).toBe(0);
    const model = onnx.ModelProto.decode(readFileSync(path.join(root, 'b.onnx')));
    const bias = model.graph!.initializer!.at(-1)!.rawData!;
    bias[0] ^= 1; // the lowest bit of the last layer's first bias
    writeFileSync(path.join(root, 'b.onnx'), onnx.ModelProto.encode(model).finish());
    const changed = await run('b.onnx');
    expect(changed.exitCode).toBe(0);
    expect(changed.counts.ranNow).toBe(first.counts.ranNow);
  });
});

describe('ONNX model errors: exit code 2 before anything runs, naming the file and what is wrong', () => {
  const root = tempDir('probelab-onnx-errors-');
  const good = readFileSync(MODEL);
  const occlusion = (model: object) => ({ name: 'o', kind: 'occlusion', model, images: [0] });

  const problem = (experiment: object) =>
    planningError(root, { defaults: { data: DATA }, experiments: [experiment] });

  test('a truncated file and one that is not ONNX at all', async () => {
    writeFileSync(path.join(root, 'half.onnx'), good.subarray(0, Math.floor(good.length / 2)));
    expect(await problem(occlusion({ onnx: 'half.onnx' }))).toMatch(
      /^case\.json: experiments\[0\]\.model\.onnx: <root>\/half\.onnx: (not a readable ONNX model|node .* reads ".*", which nothing in the graph makes)/,
    );
    writeFileSync(path.join(root, 'text.onnx'), 'this is not a model\n');
    expect(await problem(occlusion({ onnx: 'text.onnx' }))).toMatch(
      /^case\.json: experiments\[0\]\.model\.onnx: <root>\/text\.onnx: not (a readable ONNX model|an ONNX model with a graph)/,
    );
  });

  test('an input name the model does not have', async () => {
    copyFileSync(MODEL, path.join(root, 'good.onnx'));
    expect(await problem(occlusion({ onnx: 'good.onnx', input: { name: 'pixels' } }))).toBe(
      'case.json: experiments[0].model.onnx: <root>/good.onnx: the model has no input named "pixels" (its inputs: "image")',
    );
  });

  test('an output of the wrong size', async () => {
    const model = onnx.ModelProto.decode(good);
    model.graph!.output![0].type!.tensorType!.shape!.dim![1].dimValue = 5;
    writeFileSync(path.join(root, 'five.onnx'), onnx.ModelProto.encode(model).finish());
    expect(await problem(occlusion({ onnx: 'five.onnx' }))).toBe(
      'case.json: experiments[0].model.onnx: <root>/five.onnx: output "logits" has shape [?, 5]: 5 classes are too few (the labels of mnist need 10)',
    );
  });

  test('images of another size or channel count', async () => {
    copyFileSync(path.join(FIXTURES, 'rgb-32.onnx'), path.join(root, 'rgb.onnx'));
    expect(await problem(occlusion({ onnx: 'rgb.onnx' }))).toBe(
      'case.json: experiments[0].model.onnx: <root>/rgb.onnx: input "image" takes 3 channel(s) of 32×32 (NCHW [?, 3, 32, 32]), but mnist has 1 channel(s) of 28×28',
    );
  });

  test('gradient methods, the sanity check and layer probes are refused, naming what works', async () => {
    copyFileSync(MODEL, path.join(root, 'good.onnx'));
    const model = { onnx: 'good.onnx' };
    expect(await problem({ name: 'a', kind: 'attribution', model, methods: ['occlusion', 'saliency'] })).toBe(
      'case.json: experiments[0].methods[1]: saliency needs gradients, which an ONNX model does not give; methods that run on it: occlusion, feature-ablation, shapley-sampling, kernel-shap, rise',
    );
    expect(
      await problem({ name: 'f', kind: 'attribution-faithfulness', model, methods: ['occlusion'] }),
    ).toBe(
      'case.json: experiments[0].sanity: the sanity check randomises the layers of a tfjs model, which an ONNX model does not give; set "sanity": false',
    );
    expect(await problem({ name: 'f', kind: 'filters', model })).toBe(
      'case.json: experiments[0].model.onnx: this experiment needs the weights of its first layer, which an ONNX model does not give: probe it with occlusion, shift, attribution (gradient-free methods) or attribution-faithfulness',
    );
  });

  test('through the CLI: exit code 2, the message on stderr, nothing written', async () => {
    writeFileSync(path.join(root, 'cut.onnx'), good.subarray(0, 100));
    writeConfig(root, 'cli.json', {
      defaults: { data: DATA },
      experiments: [occlusion({ onnx: 'cut.onnx' })],
    });
    const before = snapshot(root);
    const result = await runCli(['cli.json'], root);
    expect(result.stderr).toContain(`cli.json: experiments[0].model.onnx: ${root}/cut.onnx: `);
    expect(result.stderr).not.toContain('    at ');
    expect(result.code).toBe(2);
    expect(snapshot(root)).toEqual(before);
  });
});

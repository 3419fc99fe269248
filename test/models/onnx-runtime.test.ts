// probelab's ONNX path (onnxruntime-web) against PyTorch on the committed fixtures: the same
// probabilities and the same occlusion maps within 1e-5, no Python needed.
import { readFileSync } from 'node:fs';
import { readOnnxFile } from '../../src/models/onnx-file';
import { maxDifference, occlusionThrough, onnxRuntimeModule, torchFixture } from './onnx-fixture';

const { onnxRuntimeClassifier } = onnxRuntimeModule();

async function runtimeOf(name: 'figure1-mnist' | 'rgb-32') {
  const f = torchFixture(name);
  const { spec } = readOnnxFile(f.file, f.settings, f.data);
  return { ...f, classifier: await onnxRuntimeClassifier(f.file, readFileSync(f.file), spec, f.shape) };
}

test('figure1-mnist: probabilities and occlusion maps equal PyTorch within 1e-5', async () => {
  const f = await runtimeOf('figure1-mnist');
  const { fixture } = f;
  const maps = await occlusionThrough(f.classifier, f);
  for (const [i, image] of fixture.images.entries()) {
    expect(maxDifference(maps[i].clean, image.probabilities)).toBeLessThan(1e-5);
    expect(maxDifference(maps[i].occluded, image.occlusion)).toBeLessThan(1e-5);
  }
  // The maps have something to agree on: the patch moves the true class's probability.
  const truth = fixture.images[0].occlusion.filter((_, k) => k % 10 === fixture.images[0].label);
  expect(Math.max(...truth) - Math.min(...truth)).toBeGreaterThan(0.3);
});

test('rgb-32 (normalised input, channels first): probabilities and occluded copies equal PyTorch within 1e-5', async () => {
  const f = await runtimeOf('rgb-32');
  const maps = await occlusionThrough(f.classifier, f);
  for (const [i, image] of f.fixture.images.entries()) {
    expect(maxDifference(maps[i].clean, image.probabilities)).toBeLessThan(1e-5);
    expect(maxDifference(maps[i].occluded, image.occlusion)).toBeLessThan(1e-5);
  }
});

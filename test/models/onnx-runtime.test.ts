// probelab's ONNX path (onnxruntime-web) against PyTorch on the committed fixtures: the same
// probabilities and the same occlusion maps within 1e-5, no Python needed.
import { readFileSync } from 'node:fs';
import { readOnnxFile } from '../../src/models/onnx-file';
import { occlusionGrid, positionAt } from '../../src/occlusion/grid';
import { predictOcclusions } from '../../src/occlusion/predict';
import { maxDifference, onnxRuntimeModule, torchFixture } from './onnx-fixture';

const { onnxRuntimeClassifier } = onnxRuntimeModule();

async function runtimeOf(name: 'figure1-mnist' | 'rgb-32') {
  const f = torchFixture(name);
  const { spec } = readOnnxFile(f.file, f.settings, f.data);
  return { ...f, classifier: await onnxRuntimeClassifier(f.file, readFileSync(f.file), spec, f.shape) };
}

test('figure1-mnist: probabilities and occlusion maps equal PyTorch within 1e-5', async () => {
  const { fixture, classifier, pixels } = await runtimeOf('figure1-mnist');
  const { patch, stride, fill } = fixture.occlusion;
  const grid = occlusionGrid(28, 28, patch, stride);
  for (const [i, image] of fixture.images.entries()) {
    const { clean, occluded } = await predictOcclusions(classifier, pixels(i), grid, 0, grid.count, fill);
    expect(maxDifference(clean, image.probabilities)).toBeLessThan(1e-5);
    expect(maxDifference(occluded, image.occlusion)).toBeLessThan(1e-5);
  }
  // The maps have something to agree on: the patch moves the true class's probability.
  const truth = fixture.images[0].occlusion.filter((_, k) => k % 10 === fixture.images[0].label);
  expect(Math.max(...truth) - Math.min(...truth)).toBeGreaterThan(0.3);
});

test('rgb-32 (normalised input, channels first): probabilities and occluded copies equal PyTorch within 1e-5', async () => {
  const { fixture, classifier, pixels, shape } = await runtimeOf('rgb-32');
  const { patch, stride, fill } = fixture.occlusion;
  const grid = occlusionGrid(shape.rows, shape.cols, patch, stride);
  const values = shape.rows * shape.cols * 3;
  for (const [i, image] of fixture.images.entries()) {
    const copies = new Float32Array(grid.count * values);
    for (let k = 0; k < grid.count; k++) {
      copies.set(pixels(i), k * values);
      const { row, col } = positionAt(grid, k);
      for (let r = row; r < row + patch; r++)
        copies.fill(
          fill,
          k * values + (r * shape.cols + col) * 3,
          k * values + (r * shape.cols + col + patch) * 3,
        );
    }
    expect(maxDifference(await classifier.probabilities(pixels(i), 1), image.probabilities)).toBeLessThan(
      1e-5,
    );
    expect(maxDifference(await classifier.probabilities(copies, grid.count), image.occlusion)).toBeLessThan(
      1e-5,
    );
  }
});

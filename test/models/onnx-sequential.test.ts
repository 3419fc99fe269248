// ONNX graphs rebuilt as tfjs models for the fused kernels (src/models/onnx-sequential.ts),
// against PyTorch on the committed fixtures: the Figure 1 network (its occlusion maps through the
// incremental path) and the RGB network (normalised input folded into the first convolution,
// 'same' padding, a channels-first flatten), within 1e-5; and graphs it must leave to onnxruntime.
import { readFileSync } from 'node:fs';
import { onnx } from 'onnx-proto';
import { layersClassifier } from '../../src/models/classifier';
import { readOnnxFile } from '../../src/models/onnx-file';
import { decodeGraph } from '../../src/models/onnx-graph';
import { sequentialModel } from '../../src/models/onnx-sequential';
import { occlusionGrid, positionAt } from '../../src/occlusion/grid';
import { predictOcclusions } from '../../src/occlusion/predict';
import { useBackend } from '../../src/tf/backend';
import { maxDifference, torchFixture } from './onnx-fixture';

beforeAll(() => useBackend('wasm'));

function mapped(name: 'figure1-mnist' | 'rgb-32') {
  const f = torchFixture(name);
  const { spec, graph } = readOnnxFile(f.file, f.settings, f.data);
  const result = sequentialModel(graph, spec, f.shape);
  if (!('model' in result)) throw new Error(`not mapped: ${result.reason}`);
  return { ...f, spec, graph, classifier: layersClassifier(result.model, f.shape) };
}

test('figure1-mnist maps to conv+relu / pool layers and its occlusion maps equal PyTorch within 1e-5', async () => {
  const { fixture, classifier, pixels } = mapped('figure1-mnist');
  const layers = classifier.layersModel!.layers.map((l) => l.getClassName());
  expect(layers).toEqual([
    'Conv2D',
    'MaxPooling2D',
    'Conv2D',
    'MaxPooling2D',
    'Conv2D',
    'MaxPooling2D',
    'Flatten',
    'Dense',
  ]);
  const { patch, stride, fill } = fixture.occlusion;
  const grid = occlusionGrid(28, 28, patch, stride);
  for (const [i, image] of fixture.images.entries()) {
    const { clean, occluded } = await predictOcclusions(classifier, pixels(i), grid, 0, grid.count, fill);
    expect(maxDifference(clean, image.probabilities)).toBeLessThan(1e-5);
    expect(maxDifference(occluded, image.occlusion)).toBeLessThan(1e-5);
  }
});

test('rgb-32 (normalisation folded, same padding, channels-first flatten) equals PyTorch within 1e-5', async () => {
  const { fixture, classifier, pixels, shape } = mapped('rgb-32');
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

test('graphs the fused network does not cover are left to onnxruntime, with the reason', () => {
  const f = torchFixture('figure1-mnist');
  const bytes = readFileSync(f.file);
  const { spec } = readOnnxFile(f.file, f.settings, f.data);
  const edited = (edit: (model: onnx.ModelProto) => void) => {
    const model = onnx.ModelProto.decode(bytes);
    edit(model);
    return decodeGraph(onnx.ModelProto.encode(model).finish(), f.file);
  };
  const sigmoid = edited((m) => {
    m.graph!.node![1].opType = 'Sigmoid';
  });
  expect(sequentialModel(sigmoid, spec, f.shape)).toEqual({ reason: 'the operation Sigmoid' });
  const padding = (pads: number[]) =>
    edited((m) => {
      m.graph!.node![0].attribute!.find((a) => a.name === 'pads')!.ints = pads;
    });
  expect(sequentialModel(padding([1, 0, 1, 0]), spec, f.shape)).toEqual({ reason: 'Conv: padding 1,0,1,0' });
  // rgb-32 with its padding moved to the first convolution: same shapes, still a chain the fused
  // network covers, but the normalised input can no longer be folded across the padded border.
  const rgb = torchFixture('rgb-32');
  const rgbSpec = readOnnxFile(rgb.file, rgb.settings, rgb.data).spec;
  const model = onnx.ModelProto.decode(readFileSync(rgb.file));
  const convs = model.graph!.node!.filter((n) => n.opType === 'Conv');
  convs[0].attribute!.find((a) => a.name === 'pads')!.ints = [1, 1, 1, 1];
  convs[1].attribute!.find((a) => a.name === 'pads')!.ints = [0, 0, 0, 0];
  const moved = decodeGraph(onnx.ModelProto.encode(model).finish(), rgb.file);
  expect('model' in sequentialModel(moved, { ...rgbSpec, mean: [0, 0, 0], std: [1, 1, 1] }, rgb.shape)).toBe(
    true,
  );
  expect(sequentialModel(moved, rgbSpec, rgb.shape)).toEqual({
    reason: 'a scaled or normalised input before a layer other than a valid convolution',
  });
});

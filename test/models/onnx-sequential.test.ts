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
import { useBackend } from '../../src/tf/backend';
import { maxDifference, occlusionThrough, torchFixture } from './onnx-fixture';

beforeAll(() => useBackend('wasm'));

function mapped(name: 'figure1-mnist' | 'rgb-32') {
  const f = torchFixture(name);
  const { spec, graph } = readOnnxFile(f.file, f.settings, f.data);
  const result = sequentialModel(graph, spec, f.shape);
  if (!('model' in result)) throw new Error(`not mapped: ${result.reason}`);
  return { ...f, spec, graph, classifier: layersClassifier(result.model, f.shape) };
}

test('figure1-mnist maps to conv+relu / pool layers and its occlusion maps equal PyTorch within 1e-5', async () => {
  const f = mapped('figure1-mnist');
  const { fixture } = f;
  const layers = f.classifier.layersModel!.layers.map((l) => l.getClassName());
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
  const maps = await occlusionThrough(f.classifier, f);
  for (const [i, image] of fixture.images.entries()) {
    expect(maxDifference(maps[i].clean, image.probabilities)).toBeLessThan(1e-5);
    expect(maxDifference(maps[i].occluded, image.occlusion)).toBeLessThan(1e-5);
  }
});

test('rgb-32 (normalisation folded, same padding, channels-first flatten) equals PyTorch within 1e-5', async () => {
  const f = mapped('rgb-32');
  const maps = await occlusionThrough(f.classifier, f);
  for (const [i, image] of f.fixture.images.entries()) {
    expect(maxDifference(maps[i].clean, image.probabilities)).toBeLessThan(1e-5);
    expect(maxDifference(maps[i].occluded, image.occlusion)).toBeLessThan(1e-5);
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

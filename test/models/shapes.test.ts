import { FieldError } from '../../src/config-errors';
import { figure1Layers, kerasNames, type LayerSpec } from '../../src/models/layers';
import { completeLayers, planLayers } from '../../src/models/shapes';

const conv = (filters: number, kernelSize: number, extra: Partial<LayerSpec> = {}): LayerSpec =>
  ({ type: 'conv2d', filters, kernelSize, activation: 'relu', ...extra }) as LayerSpec;

function problem(layers: LayerSpec[], input = [28, 28, 1], classes = 10): { field: string; message: string } {
  try {
    planLayers(layers, input, classes);
  } catch (error) {
    expect(error).toBeInstanceOf(FieldError);
    return { field: (error as FieldError).field.join('.'), message: (error as Error).message };
  }
  throw new Error('expected a FieldError');
}

describe('shape inference of a layers list', () => {
  test('Figure 1: Keras names and the output shapes of the homework', () => {
    expect(planLayers(figure1Layers(0.2), [28, 28, 1], 10)).toEqual([
      { name: 'conv2d', className: 'Conv2D', outputShape: [26, 26, 12] },
      { name: 'max_pooling2d', className: 'MaxPooling2D', outputShape: [13, 13, 12] },
      { name: 'conv2d_1', className: 'Conv2D', outputShape: [11, 11, 12] },
      { name: 'max_pooling2d_1', className: 'MaxPooling2D', outputShape: [5, 5, 12] },
      { name: 'conv2d_2', className: 'Conv2D', outputShape: [3, 3, 8] },
      { name: 'max_pooling2d_2', className: 'MaxPooling2D', outputShape: [1, 1, 8] },
      { name: 'flatten', className: 'Flatten', outputShape: [8] },
      { name: 'dropout', className: 'Dropout', outputShape: [8] },
      { name: 'dense', className: 'Dense', outputShape: [10] },
    ]);
  });

  test('padding "same" with stride 2 on a non-square image rounds up; pooling strides default to the pool size', () => {
    const layers: LayerSpec[] = [
      conv(4, 3, { padding: 'same', strides: 2 }),
      { type: 'batchNormalization' },
      { type: 'averagePooling2d', poolSize: [2, 3] },
      conv(6, [3, 1] as never, { strides: [1, 2] as never }),
      { type: 'globalAveragePooling2d' },
      { type: 'dense', units: 10 },
    ];
    expect(planLayers(layers, [20, 25, 1], 10).map((l) => [l.name, l.outputShape])).toEqual([
      ['conv2d', [10, 13, 4]],
      ['batch_normalization', [10, 13, 4]],
      ['average_pooling2d', [5, 4, 4]],
      ['conv2d_1', [3, 2, 6]],
      ['global_average_pooling2d', [6]],
      ['dense', [10]],
      ['activation', [10]],
    ]);
  });

  test('softmax is added only when the network does not end in one', () => {
    const flat: LayerSpec[] = [{ type: 'flatten' }, { type: 'dense', units: 10 }];
    expect(completeLayers(flat).at(-1)).toEqual({ type: 'activation', activation: 'softmax' });
    const soft: LayerSpec[] = [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }];
    expect(completeLayers(soft)).toEqual(soft);
    const afterDropout: LayerSpec[] = [...soft, { type: 'dropout', rate: 0.1 }];
    expect(completeLayers(afterDropout)).toEqual(afterDropout);
  });

  test('Keras names count per class', () => {
    expect(
      kerasNames(['Conv2D', 'Conv2D', 'BatchNormalization', 'GlobalAveragePooling2D', 'Conv2D']),
    ).toEqual(['conv2d', 'conv2d_1', 'batch_normalization', 'global_average_pooling2d', 'conv2d_2']);
  });

  test('each rule names the layer and field', () => {
    const pool8: LayerSpec = { type: 'maxPooling2d', poolSize: 8 };
    expect(problem([conv(4, 3), pool8, { type: 'batchNormalization' }, conv(4, 5)])).toEqual({
      field: 'layers.3.kernelSize',
      message: 'a 5×5 kernel does not fit the 3×3 input of this layer (padding "valid")',
    });
    expect(problem([conv(4, 3), { type: 'maxPooling2d', poolSize: 30 }])).toEqual({
      field: 'layers.1.poolSize',
      message: 'a 30×30 pooling window does not fit the 26×26 input of this layer (padding "valid")',
    });
    expect(problem([{ type: 'flatten' }, conv(4, 3)])).toEqual({
      field: 'layers.1.type',
      message:
        '"conv2d" needs an image input (height × width × channels), but the layer before gives a flat vector of 784 values',
    });
    expect(problem([conv(4, 3), { type: 'dense', units: 10 }])).toEqual({
      field: 'layers.1.type',
      message:
        '"dense" needs a flat input, but the layer before gives 26×26×4: put { "type": "flatten" } or { "type": "globalAveragePooling2d" } before it',
    });
    expect(
      problem([{ type: 'flatten' }, { type: 'dense', units: 12 }, { type: 'dropout', rate: 0.5 }]),
    ).toEqual({
      field: 'layers.1.units',
      message: 'the network gives 12 outputs; expected one per class (10)',
    });
    expect(problem([conv(10, 3)])).toEqual({
      field: 'layers.0',
      message:
        'the network ends with a 26×26×10 output; expected a flat vector of one output per class (10): end with { "type": "flatten" } and a dense layer of 10 units',
    });
    // Same padding never shrinks below 1; valid padding with a large stride can still fit exactly.
    expect(
      planLayers(
        [conv(2, 28, { strides: 5 }), { type: 'flatten' }, { type: 'dense', units: 3 }],
        [28, 28, 1],
        3,
      )[0].outputShape,
    ).toEqual([1, 1, 2]);
  });
});

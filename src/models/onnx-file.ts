// An ONNX model file (torch.onnx.export's, for one) as planning reads it: which input and output
// to use, the input's layout, size and scale, and whether the output is logits or probabilities.
// What the graph says is read from it; what it leaves open is asked for in the config; what
// contradicts the data (size, channels, too few classes) is refused with the file named.
import { createHash } from 'node:crypto';
import { readFailure, readRegularFile } from '../files';
import {
  decodeGraph,
  FLOAT,
  OnnxFileError,
  type OnnxGraph,
  valueElementType,
  valueShape,
} from './onnx-graph';

export { OnnxFileError } from './onnx-graph';

export type OnnxLayout = 'NCHW' | 'NHWC';
export type OnnxOutputKind = 'logits' | 'probabilities' | 'log-probabilities';

/** What the config may say of an ONNX model; anything left out is read from the file. */
export interface OnnxSettings {
  input?: {
    name?: string;
    layout?: OnnxLayout;
    /** The values the model takes for pixel values 0 and 1 (default [0, 1]; [0, 255] for raw bytes). */
    scale?: [number, number];
    /** Per channel, subtracted after scaling, then divided by `std` (torchvision's Normalize). */
    mean?: number[];
    std?: number[];
  };
  output?: OnnxOutputKind;
}

/** How a worker feeds the model and reads it: plain JSON (a type, not an interface), carried in the probe jobs' params. */
export type OnnxSpec = {
  input: string;
  output: string;
  layout: OnnxLayout;
  scale: [number, number];
  mean: number[];
  std: number[];
  outputKind: OnnxOutputKind;
  classes: number;
};

/** The images the data set gives. */
export interface DataImages {
  rows: number;
  cols: number;
  channels: number;
  /** Classes of the data's labels (max label + 1). */
  classes: number;
  /** Names the data in messages. */
  name: string;
}

export interface OnnxFileInfo {
  sha256: string;
  spec: OnnxSpec;
  graph: OnnxGraph;
}

const show = (shape: readonly (number | null)[]) => `[${shape.map((d) => d ?? '?').join(', ')}]`;

function readBytes(file: string): Buffer {
  try {
    return readRegularFile(file);
  } catch (err) {
    throw new OnnxFileError(`${file}: cannot read the ONNX model (${readFailure(err)})`);
  }
}

/** The graph input to feed: the one named in the config, or the only one there is. */
function chooseInput(graph: OnnxGraph, file: string, name: string | undefined) {
  const weights = new Set(graph.initializer.map((t) => t.name));
  const inputs = graph.input.filter((i) => !weights.has(i.name ?? ''));
  const names = inputs.map((i) => `"${i.name}"`).join(', ');
  if (name !== undefined) {
    const input = inputs.find((i) => i.name === name);
    if (!input)
      throw new OnnxFileError(`${file}: the model has no input named "${name}" (its inputs: ${names})`);
    return input;
  }
  if (inputs.length !== 1)
    throw new OnnxFileError(
      `${file}: the model has ${inputs.length} inputs (${names}); name one in model.input.name`,
    );
  return inputs[0];
}

/** NCHW or NHWC: the config's, else where the channel axis must be (1 or 3 values where the other is not). */
function layoutOf(shape: (number | null)[], file: string, asked: OnnxLayout | undefined): OnnxLayout {
  if (asked) return asked;
  const isChannels = (d: number | null) => d === 1 || d === 3;
  if (isChannels(shape[1]) && !isChannels(shape[3])) return 'NCHW';
  if (isChannels(shape[3]) && !isChannels(shape[1])) return 'NHWC';
  throw new OnnxFileError(
    `${file}: the input's shape ${show(shape)} does not say where the channels are; set model.input.layout to "NCHW" (PyTorch) or "NHWC"`,
  );
}

function checkInput(graph: OnnxGraph, file: string, settings: OnnxSettings, data: DataImages) {
  const input = chooseInput(graph, file, settings.input?.name);
  if (valueElementType(input) !== FLOAT)
    throw new OnnxFileError(`${file}: input "${input.name}" is not float32; probelab feeds float32 pixels`);
  const shape = valueShape(input) ?? [null, null, null, null];
  if (shape.length !== 4)
    throw new OnnxFileError(
      `${file}: input "${input.name}" has shape ${show(shape)}; expected 4 axes, images × channels × rows × cols (NCHW) or images × rows × cols × channels (NHWC)`,
    );
  const layout = layoutOf(shape, file, settings.input?.layout);
  const [channels, rows, cols] = layout === 'NCHW' ? shape.slice(1) : [shape[3], shape[1], shape[2]];
  const want = [data.channels, data.rows, data.cols];
  if (![channels, rows, cols].every((d, i) => d === null || d === want[i]))
    throw new OnnxFileError(
      `${file}: input "${input.name}" takes ${channels ?? '?'} channel(s) of ${rows ?? '?'}×${cols ?? '?'} (${layout} ${show(shape)}), but ${data.name} has ${data.channels} channel(s) of ${data.rows}×${data.cols}`,
    );
  return { name: input.name ?? '', layout };
}

/** Logits or probabilities: a Softmax or LogSoftmax last says so; other last operations need the config's word unless they are linear. */
const LINEAR_LAST = new Set(['Gemm', 'MatMul', 'Add', 'Conv', 'Flatten', 'Reshape', 'Squeeze', 'Identity']);

function outputKindOf(
  graph: OnnxGraph,
  output: string,
  file: string,
  asked?: OnnxOutputKind,
): OnnxOutputKind {
  const last = graph.node.find((n) => n.output?.includes(output));
  const op = last?.opType ?? '';
  const said = op === 'Softmax' ? 'probabilities' : op === 'LogSoftmax' ? 'log-probabilities' : undefined;
  if (said && asked && asked !== said)
    throw new OnnxFileError(
      `${file}: model.output says "${asked}", but the graph ends in ${op}, which gives ${said}`,
    );
  if (said) return said;
  if (asked) return asked;
  if (LINEAR_LAST.has(op)) return 'logits';
  throw new OnnxFileError(
    `${file}: the graph ends in ${op}, which does not say whether it gives logits or probabilities; set model.output to "logits" or "probabilities"`,
  );
}

function checkOutput(graph: OnnxGraph, file: string, data: DataImages): { name: string; classes: number } {
  if (graph.output.length !== 1)
    throw new OnnxFileError(
      `${file}: the model has ${graph.output.length} outputs (${graph.output.map((o) => `"${o.name}"`).join(', ')}); probelab reads a model with one output of class scores`,
    );
  const output = graph.output[0];
  const shape = valueShape(output);
  const wrong = (why: string) =>
    new OnnxFileError(
      `${file}: output "${output.name}" has shape ${show(shape ?? [])}: ${why} (the labels of ${data.name} need ${data.classes})`,
    );
  if (shape && shape.length !== 2) throw wrong('expected 2 axes, images × classes');
  const classes = shape?.[1] ?? data.classes;
  if (classes < data.classes) throw wrong(`${classes} classes are too few`);
  return { name: output.name ?? '', classes };
}

function checkScale(
  file: string,
  settings: OnnxSettings,
  channels: number,
): Pick<OnnxSpec, 'scale' | 'mean' | 'std'> {
  const input = settings.input ?? {};
  const perChannel = (values: number[] | undefined, fill: number, what: string) => {
    const list = values ?? [fill];
    if (list.length === 1) return Array(channels).fill(list[0]) as number[];
    if (list.length !== channels)
      throw new OnnxFileError(
        `${file}: model.input.${what} has ${list.length} values; expected 1 or ${channels} (one per channel)`,
      );
    return list;
  };
  const std = perChannel(input.std, 1, 'std');
  if (std.some((s) => s === 0))
    throw new OnnxFileError(`${file}: model.input.std: a standard deviation of 0`);
  return { scale: input.scale ?? [0, 1], mean: perChannel(input.mean, 0, 'mean'), std };
}

/** Reads, hashes and checks an ONNX file against the data it will be fed; throws OnnxFileError naming the file. */
export function readOnnxFile(file: string, settings: OnnxSettings, data: DataImages): OnnxFileInfo {
  const bytes = readBytes(file);
  const graph = decodeGraph(bytes, file);
  const input = checkInput(graph, file, settings, data);
  const output = checkOutput(graph, file, data);
  const spec: OnnxSpec = {
    input: input.name,
    output: output.name,
    layout: input.layout,
    ...checkScale(file, settings, data.channels),
    outputKind: outputKindOf(graph, output.name, file, settings.output),
    classes: output.classes,
  };
  return { sha256: createHash('sha256').update(bytes).digest('hex'), spec, graph };
}

// An ONNX file's graph as probelab reads it: decoded with onnx-proto (the ONNX protobuf schema,
// compiled for protobufjs), checked to be whole (every value a node reads is made before it),
// with typed access to node attributes and float initializers.
import { onnx } from 'onnx-proto';

export class OnnxFileError extends Error {
  override name = 'OnnxFileError';
}

/** An int64 as protobufjs gives it: a number, or a Long-like { low, high } when it does not fit. */
type Int64 = number | { low: number; high: number };

export function int64(value: Int64): number {
  return typeof value === 'number' ? value : value.high * 2 ** 32 + (value.low >>> 0);
}

export type OnnxGraph = onnx.IGraphProto & {
  node: onnx.INodeProto[];
  input: onnx.IValueInfoProto[];
  output: onnx.IValueInfoProto[];
  initializer: onnx.ITensorProto[];
};

/** The graph of a .onnx file's bytes; `file` names it in every error. */
export function decodeGraph(bytes: Uint8Array, file: string): OnnxGraph {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new OnnxFileError(
      `${file}: not a readable ONNX model (${(error as Error).message}); is the file whole, as torch.onnx.export wrote it?`,
    );
  }
  const graph = model.graph;
  if (!graph?.node?.length || !graph.output?.length)
    throw new OnnxFileError(
      `${file}: not an ONNX model with a graph (no nodes or no outputs): is the file whole, as torch.onnx.export wrote it?`,
    );
  const made = new Set<string>([
    ...(graph.input ?? []).map((i) => i.name ?? ''),
    ...(graph.initializer ?? []).map((t) => t.name ?? ''),
  ]);
  for (const node of graph.node) {
    for (const input of node.input ?? [])
      if (input && !made.has(input))
        throw new OnnxFileError(
          `${file}: node ${node.name || node.opType} reads "${input}", which nothing in the graph makes (a truncated or damaged file?)`,
        );
    for (const output of node.output ?? []) made.add(output);
  }
  for (const output of graph.output)
    if (!made.has(output.name ?? ''))
      throw new OnnxFileError(
        `${file}: the graph's output "${output.name}" is made by no node (a truncated file?)`,
      );
  return graph as OnnxGraph;
}

/** Dimensions of a graph input or output: a number, or null where the file leaves it open ("batch"). */
export function valueShape(value: onnx.IValueInfoProto): (number | null)[] | undefined {
  const dims = value.type?.tensorType?.shape?.dim;
  if (!dims) return undefined;
  return dims.map((d) =>
    d.dimValue !== undefined && d.dimValue !== null ? int64(d.dimValue) || null : null,
  );
}

export function valueElementType(value: onnx.IValueInfoProto): number | undefined {
  return value.type?.tensorType?.elemType ?? undefined;
}

export const FLOAT = onnx.TensorProto.DataType.FLOAT;

/** A node's attribute: `ints` as numbers, `i` as a number, `f`, or undefined when absent. */
export function attributeOf(node: onnx.INodeProto, name: string): number[] | number | undefined {
  const attribute = node.attribute?.find((a) => a.name === name);
  if (!attribute) return undefined;
  switch (attribute.type) {
    case onnx.AttributeProto.AttributeType.INTS:
      return (attribute.ints ?? []).map((v) => int64(v as Int64));
    case onnx.AttributeProto.AttributeType.INT:
      return int64((attribute.i ?? 0) as Int64);
    case onnx.AttributeProto.AttributeType.FLOAT:
      return attribute.f ?? 0;
    default:
      return undefined;
  }
}

/** A float32 initializer's values and dimensions, or undefined when it is not one. */
export function floatInitializer(
  graph: OnnxGraph,
  name: string,
): { values: Float32Array; dims: number[] } | undefined {
  const tensor = graph.initializer.find((t) => t.name === name);
  if (!tensor || tensor.dataType !== FLOAT) return undefined;
  const dims = (tensor.dims ?? []).map((d) => int64(d as Int64));
  const count = dims.reduce((a, b) => a * b, 1);
  let values: Float32Array;
  if (tensor.rawData?.length) {
    // rawData is little-endian; copy it so the values are aligned whatever the buffer's offset.
    const raw = tensor.rawData;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    values = Float32Array.from({ length: raw.byteLength / 4 }, (_, i) => view.getFloat32(4 * i, true));
  } else values = Float32Array.from(tensor.floatData ?? []);
  return values.length === count ? { values, dims } : undefined;
}

// Checking a model's weights before anything runs on them: every tensor the manifest lists is
// there with all its bytes, of a dtype probelab reads, and finite. A weight file cut short, or
// holding NaN or Inf, is refused naming the file and the tensor, instead of jobs that fail with
// "the tensor should have 1500 values but has 624" or print probabilities of 0 from NaN weights.

/** What a tfjs weights manifest says of one tensor. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

/** Bytes per value of the dtypes tfjs stores weights in; only float32 is trained or probed here. */
const BYTES_PER_VALUE: Record<string, number> = { float32: 4, int32: 4 };

/**
 * Checks one group of the manifest against the bytes of its files (joined in order), tensor by
 * tensor; returns a message naming `file` and the tensor, or undefined when all is well.
 */
export function weightsProblem(
  file: string,
  paths: string[],
  specs: WeightSpec[],
  data: Uint8Array,
): string | undefined {
  const where = paths.join(' + ');
  let offset = 0;
  for (const spec of specs) {
    if (spec.quantization !== undefined)
      return `${file}: weight "${spec.name}" is quantized; probelab reads float32 weights only (convert without --quantize_*)`;
    const bytesPerValue = BYTES_PER_VALUE[spec.dtype];
    if (bytesPerValue === undefined)
      return `${file}: weight "${spec.name}" has dtype ${JSON.stringify(spec.dtype)}; expected float32`;
    const values = spec.shape.reduce((product, d) => product * d, 1);
    const bytes = values * bytesPerValue;
    if (offset + bytes > data.length)
      return `${file}: ${where} has ${data.length} bytes, the manifest expects ${expectedBytes(specs)}: weight "${spec.name}" (${spec.shape.join('×')} ${spec.dtype}, ${bytes} bytes from byte ${offset}) is cut short`;
    if (spec.dtype === 'float32') {
      const bad = firstNonFinite(data, offset, values);
      if (bad !== undefined)
        return `${file}: weight "${spec.name}" holds ${bad.value} at index ${bad.index}: a model with non-finite weights gives meaningless results`;
    }
    offset += bytes;
  }
  if (offset !== data.length)
    return `${file}: ${where} has ${data.length} bytes, the manifest expects ${offset}: ${data.length - offset} bytes follow the last weight`;
  return undefined;
}

function expectedBytes(specs: WeightSpec[]): number {
  return specs.reduce(
    (sum, spec) =>
      sum + spec.shape.reduce((product, d) => product * d, 1) * (BYTES_PER_VALUE[spec.dtype] ?? 0),
    0,
  );
}

/** The first NaN or ±Inf among `count` float32 values from byte `offset` (little-endian, as tfjs writes them). */
function firstNonFinite(
  data: Uint8Array,
  offset: number,
  count: number,
): { index: number; value: string } | undefined {
  const view = new DataView(data.buffer, data.byteOffset + offset, count * 4);
  for (let i = 0; i < count; i++) {
    const value = view.getFloat32(i * 4, true);
    if (!Number.isFinite(value)) return { index: i, value: String(value) };
  }
  return undefined;
}

/** The first NaN or ±Inf in a list of weight arrays, for a training that must stop on one. */
export function firstNonFiniteWeight(
  weights: readonly { name: string; values: ArrayLike<number> }[],
): { name: string; index: number; value: number } | undefined {
  for (const { name, values } of weights)
    for (let i = 0; i < values.length; i++)
      if (!Number.isFinite(values[i])) return { name, index: i, value: values[i] };
  return undefined;
}

// An ONNX model as a classifier in a worker thread: on the fused network when its graph is a
// Sequential network the fused kernels cover (onnx-sequential.ts: `node dist/bench/index.js onnx`
// measures it several times faster on Figure 1), else through onnxruntime-web (onnx-runtime.ts).
// Either way the file's bytes are checked to be those the run planned.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Classifier, type ImageShape, layersClassifier } from './classifier';
import { OnnxFileError, type OnnxSpec } from './onnx-file';
import { decodeGraph } from './onnx-graph';
import { onnxRuntimeClassifier } from './onnx-runtime';
import { sequentialModel } from './onnx-sequential';

/** Which engine runs the model: the fused network where the graph maps to it (`auto`), or always onnxruntime-web. */
export type OnnxEngine = 'auto' | 'onnxruntime';

export async function loadOnnxClassifier(
  file: string,
  sha256: string,
  spec: OnnxSpec,
  shape: ImageShape,
  engine: OnnxEngine = 'auto',
): Promise<Classifier> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new OnnxFileError(`${file}: cannot read the ONNX model (${(error as NodeJS.ErrnoException).code})`);
  }
  if (createHash('sha256').update(bytes).digest('hex') !== sha256)
    throw new OnnxFileError(
      `${file}: the model changed since the run was planned; run again to plan it anew`,
    );
  if (engine === 'auto') {
    const mapped = sequentialModel(decodeGraph(bytes, file), spec, shape);
    if ('model' in mapped) return layersClassifier(mapped.model, shape);
  }
  return onnxRuntimeClassifier(file, bytes, spec, shape);
}

// An ONNX model as a classifier in a worker thread, through onnxruntime-web (onnx-runtime.ts),
// after checking that the file's bytes are those the run planned.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Classifier, ImageShape } from './classifier';
import { OnnxFileError, type OnnxSpec } from './onnx-file';
import { onnxRuntimeClassifier } from './onnx-runtime';

export async function loadOnnxClassifier(
  file: string,
  sha256: string,
  spec: OnnxSpec,
  shape: ImageShape,
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
  return onnxRuntimeClassifier(file, bytes, spec, shape);
}

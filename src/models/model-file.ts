// A model trained elsewhere, in the tfjs layers format that `tensorflowjs_converter` writes for a
// Keras model: model.json (topology + weights manifest) beside its weight files. Planning reads
// its layers, input shape and content hash from the files, and checks every weight (bytes, dtype,
// finite values: weights-check.ts); a worker loads it into tfjs.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFailure, readRegularFile } from '../files';
import path from 'node:path';
import type { PlannedLayer } from './shapes';
import { weightsProblem } from './weights-check';

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

interface LayerJson {
  class_name: string;
  config?: {
    name?: string;
    batch_input_shape?: (number | null)[];
    batch_shape?: (number | null)[];
    /** "float32", or (Keras 3) a policy `{ class_name: "DTypePolicy", config: { name: "float32" } }`. */
    dtype?: unknown;
  };
  name?: string;
}

interface ModelJson {
  format?: string;
  modelTopology?: { model_config?: { config?: unknown }; config?: unknown };
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

export interface ModelFileInfo {
  /** Absolute path of model.json. */
  path: string;
  /** SHA-256 of model.json and of every weight file, in the manifest's order. */
  sha256: string;
  /** Input shape without the batch axis, e.g. [28, 28, 1]. */
  inputShape: (number | null)[];
  /** Its layers with their names and Keras classes (output shapes are not read: empty). */
  layers: PlannedLayer[];
}

/** `named` is the file messages name (model.json, also for its weight files). */
function readBytes(file: string, what: string, named = file): Buffer {
  try {
    return readRegularFile(file);
  } catch (err) {
    throw new ModelFileError(`${named}: cannot read ${what} (${readFailure(err)})`);
  }
}

function parseModelJson(file: string, bytes: Buffer): ModelJson {
  let json: ModelJson;
  try {
    json = JSON.parse(bytes.toString('utf8')) as ModelJson;
  } catch (err) {
    throw new ModelFileError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (json.format === 'graph-model')
    throw new ModelFileError(
      `${file}: a tfjs graph model; probelab needs a layers model (tensorflowjs_converter --output_format tfjs_layers_model)`,
    );
  if (!json.modelTopology || !Array.isArray(json.weightsManifest))
    throw new ModelFileError(
      `${file}: not a tfjs layers model (expected "modelTopology" and "weightsManifest")`,
    );
  return json;
}

/** The layers of a Sequential or Functional topology (Keras 2 and tfjs write both shapes), and where they are. */
function topologyLayers(file: string, json: ModelJson): { layers: LayerJson[]; at: string } {
  const topology = json.modelTopology!;
  const config = (topology.model_config ?? topology).config as
    | { layers?: LayerJson[] }
    | LayerJson[]
    | undefined;
  const layers = Array.isArray(config) ? config : config?.layers;
  if (!Array.isArray(layers) || layers.length === 0)
    throw new ModelFileError(`${file}: the topology lists no layers`);
  const at = `modelTopology${topology.model_config ? '.model_config' : ''}.config${Array.isArray(config) ? '' : '.layers'}`;
  return { layers, at };
}

/** A layer's dtype, whether Keras 2 wrote it as a name or Keras 3 as a policy. */
function dtypeName(dtype: unknown): unknown {
  const policy = dtype as { config?: { name?: unknown } } | null;
  return typeof dtype === 'object' && dtype !== null ? policy?.config?.name : dtype;
}

/** Every layer computes in float32 (an int8 or float16 layer would be run on float32 images regardless). */
function checkLayerDtypes(file: string, layers: LayerJson[], at: string): void {
  layers.forEach((layer, index) => {
    const dtype = layer.config?.dtype;
    if (dtype === undefined || dtypeName(dtype) === 'float32') return;
    throw new ModelFileError(
      `${file}: ${at}[${index}].config.dtype (layer "${layer.config?.name ?? layer.name}", a ${layer.class_name}) is ${JSON.stringify(dtype)}; probelab runs float32 models only (convert the model to float32)`,
    );
  });
}

/** The class names tfjs can build (its own layers and any registered ones). */
function loadableClasses(): Set<string> {
  return new Set(Object.keys(tf.serialization.SerializationMap.getMap().classNameMap));
}

/** Reads, checks and hashes a model file; every problem is a ModelFileError naming the file. */
export function readModelFile(file: string): ModelFileInfo {
  const bytes = readBytes(file, 'the model');
  const json = parseModelJson(file, bytes);
  const { layers, at } = topologyLayers(file, json);
  checkLayerDtypes(file, layers, at);
  const loadable = loadableClasses();
  for (const layer of layers) {
    if (!loadable.has(layer.class_name))
      throw new ModelFileError(
        `${file}: layer "${layer.config?.name ?? layer.name}" is a ${layer.class_name}, which tfjs cannot load (tfjs has no such layer class; rebuild the model without it)`,
      );
  }
  const withShape = layers.find((l) => l.config?.batch_input_shape ?? l.config?.batch_shape);
  const batchShape = withShape?.config?.batch_input_shape ?? withShape?.config?.batch_shape;
  if (!batchShape) throw new ModelFileError(`${file}: the topology gives no input shape`);
  const hash = createHash('sha256').update(bytes);
  for (const group of json.weightsManifest!) {
    const data = Buffer.concat(
      group.paths.map((weights) =>
        readBytes(path.join(path.dirname(file), weights), `its weight file ${weights}`, file),
      ),
    );
    hash.update(data);
    const problem = weightsProblem(file, group.paths, group.weights, data);
    if (problem) throw new ModelFileError(problem);
  }
  return {
    path: file,
    sha256: hash.digest('hex'),
    inputShape: batchShape.slice(1),
    layers: layers
      .filter((l) => l.class_name !== 'InputLayer')
      .map((l) => ({ name: l.config?.name ?? l.name ?? '', className: l.class_name, outputShape: [] })),
  };
}

/** Loads a model file into tfjs, after checking that its bytes are still those planned. */
export async function loadModelFile(file: string, sha256: string): Promise<tf.LayersModel> {
  const info = readModelFile(file);
  if (info.sha256 !== sha256)
    throw new ModelFileError(
      `${file}: the model changed since the run was planned; run again to plan it anew`,
    );
  const json = parseModelJson(file, readBytes(file, 'the model'));
  const weightData = Buffer.concat(
    json.weightsManifest!.flatMap((group) =>
      group.paths.map((p) => readFileSync(path.join(path.dirname(file), p))),
    ),
  );
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology as tf.io.ModelJSON['modelTopology'],
      weightSpecs: json.weightsManifest!.flatMap((group) => group.weights),
      weightData: weightData.buffer.slice(
        weightData.byteOffset,
        weightData.byteOffset + weightData.byteLength,
      ) as ArrayBuffer,
    }),
  );
}

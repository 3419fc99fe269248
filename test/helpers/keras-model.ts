// Writes a tfjs model in the layout `tensorflowjs_converter` produces for a Keras Sequential
// model: model.json with the Keras topology under modelTopology.model_config (an InputLayer
// first, Keras layer names), and the weights in group1-shard1of1.bin listed by the manifest.
import type * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

type LayerJson = { class_name: string; config: Record<string, unknown> };

export const WEIGHTS_FILE = 'group1-shard1of1.bin';

export function writeKerasStyleModel(model: tf.LayersModel, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const topology = model.toJSON(null, false) as unknown as { config: { layers: LayerJson[] } };
  const layers = topology.config.layers.map((l) => ({ class_name: l.class_name, config: { ...l.config } }));
  const { batch_input_shape, ...first } = layers[0].config;
  layers[0].config = first;
  const input: LayerJson = {
    class_name: 'InputLayer',
    config: {
      batch_input_shape,
      dtype: 'float32',
      sparse: false,
      ragged: false,
      name: `${first.name}_input`,
    },
  };
  const weights = model.weights.map((w) => ({ name: w.originalName, shape: w.shape, dtype: 'float32' }));
  const data = Buffer.concat(
    model.weights.map((w) => Buffer.from((w.read().dataSync() as Float32Array).buffer)),
  );
  writeFileSync(path.join(dir, WEIGHTS_FILE), data);
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      keras_version: '2.15.0',
      backend: 'tensorflow',
      model_config: { class_name: 'Sequential', config: { name: 'sequential', layers: [input, ...layers] } },
    },
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights }],
  };
  writeFileSync(path.join(dir, 'model.json'), `${JSON.stringify(modelJson, null, 1)}\n`);
}

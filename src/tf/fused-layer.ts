// What every layer of the fused network (fused-network.ts) is made of: shapes, the weights and
// buffers in the wasm heap's scratch memory a layer works on, and its plan and passes. Its own
// file so that layers kept apart (fused-batch-norm.ts) need not import the network that uses them.
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { address, emscripten } from './simd-module';
import type { Conv2DInfo } from './wasm-kernel-utils';

/** A layer's output shape without the batch axis: [height, width, channels] or [units]. */
export type Shape = number[];

/** One trainable weight: its value and gradient in scratch memory (byte addresses; grad 0: not computed). */
export interface Param {
  variable: tf.Variable;
  size: number;
  value: number;
  grad: number;
}

/** Byte addresses a layer works on: input, output and their gradients (dx 0: not needed). */
export interface Buffers {
  x: number;
  y: number;
  dx: number;
  dy: number;
  params: Param[];
  /** The layer's non-trainable weights (batch normalization's moving statistics); no gradient. */
  state: Param[];
  /** The largest batch a step will get. */
  batchSize: number;
}

export interface LayerPass {
  forward(n: number): void;
  backward(n: number): void;
}

export interface LayerPlan {
  outShape: Shape;
  /** The output is the input itself (flatten, linear): no memory of its own. */
  sameOutput?: boolean;
  /** The backward pass is elementwise, so the input gradient may overwrite the output gradient. */
  gradInPlace?: boolean;
  variables: tf.LayerVariable[];
  /** Non-trainable weights the layer reads and updates (batch normalization's moving statistics). */
  state?: tf.LayerVariable[];
  build(buffers: Buffers, scratch: Scratch): LayerPass;
  /** A convolution's plan joined with the max pooling over tiles `pool` right above it. */
  joinPool?(pool: Conv2DInfo): LayerPlan;
  /** A max pooling over tiles: its geometry, for joinPool. */
  tiles?: Conv2DInfo;
}

/** Scratch memory on the backend's heap, freed all at once. */
export class Scratch {
  private readonly blocks: tf.TensorInfo[] = [];

  constructor(private readonly backend: BackendWasm) {}

  /** `floats` float32 values (zeroed); their byte address. */
  alloc(floats: number): number {
    const block = this.backend.makeOutput([Math.max(floats, 1)], 'float32');
    this.blocks.push(block);
    const at = address(this.backend, block);
    this.view(at, floats).fill(0);
    return at;
  }

  /** A view of `floats` values at `at`, taken anew each time: a growing heap detaches older views. */
  view(at: number, floats: number): Float32Array {
    const { HEAPU8 } = emscripten(this.backend);
    return new Float32Array(HEAPU8.buffer, at, floats);
  }

  free(): void {
    for (const block of this.blocks) this.backend.disposeData(block.dataId, true);
    this.blocks.length = 0;
  }
}

export const size = (shape: Shape) => shape.reduce((a, b) => a * b, 1);

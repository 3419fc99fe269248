// Batch normalization as a layer of the fused network (fused-network.ts), channels last, with two
// kernels (channelSums in float64, channelAffine in float32 vectors). Training: each channel is
// normalised with the batch's mean and (biased) variance, as tfjs' moments give them, and the
// moving statistics move as tfjs-layers moves them (moving − (moving − batch) · (1 − momentum), in
// float32); the gradient flows through the batch statistics too. Inference: the moving statistics.
import type { SimdKernels } from './simd-module';
import { size, type LayerPlan, type Param, type Scratch, type Shape } from './fused-layer';

const f32 = Math.fround;

export interface BatchNormSettings {
  epsilon: number;
  momentum: number;
  /** Batch statistics (and moving ones updated) or the moving statistics. */
  training: boolean;
}

/** Per-channel values in scratch memory: float32 ones the kernels read, float64 sums they write. */
class ChannelBuffers {
  readonly mean: number;
  readonly scale: number;
  readonly weight: number;
  readonly shift: number;
  readonly sums: number;
  readonly products: number;

  constructor(
    private readonly scratch: Scratch,
    readonly channels: number,
  ) {
    [this.mean, this.scale, this.weight, this.shift] = [0, 1, 2, 3].map(() => scratch.alloc(channels));
    // Float64 values: two float32 slots each.
    [this.sums, this.products] = [0, 1].map(() => scratch.alloc(2 * channels));
  }

  floats(at: number): Float32Array {
    return this.scratch.view(at, this.channels);
  }

  doubles(at: number): Float64Array {
    return new Float64Array(this.scratch.view(at, 2 * this.channels).buffer, at, this.channels);
  }
}

export function batchNormPlan(
  k: SimdKernels,
  shape: Shape,
  variables: LayerPlan['variables'],
  state: LayerPlan['variables'],
  { epsilon, momentum, training }: BatchNormSettings,
): LayerPlan {
  const channels = shape[shape.length - 1];
  const cellsPerImage = size(shape) / channels;
  return {
    outShape: shape,
    variables,
    state,
    build({ x, y, dx, dy, params: [gamma, beta], state: [movingMean, movingVariance] }, scratch) {
      const buffers = new ChannelBuffers(scratch, channels);
      const inverse = new Float64Array(channels);
      const values = (p: Param) => scratch.view(p.value, channels);
      return {
        forward(n) {
          const cells = n * cellsPerImage;
          const mean = buffers.floats(buffers.mean);
          if (training) {
            // Two passes: the sums give the mean, then Σ x (x − mean).
            k.channelSums(x, 0, 0, buffers.sums, 0, cells, channels);
            const sums = buffers.doubles(buffers.sums);
            for (let c = 0; c < channels; c++) mean[c] = sums[c] / cells;
            // Σ x (x − m) − m Σ (x − m) = Σ (x − m)²: the mean's rounding taken out.
            k.channelSums(x, x, buffers.mean, buffers.sums, buffers.products, cells, channels);
            const [again, products] = [buffers.doubles(buffers.sums), buffers.doubles(buffers.products)];
            for (let c = 0; c < channels; c++)
              inverse[c] = f32((products[c] - mean[c] * (again[c] - cells * mean[c])) / cells);
            moveTowards(values(movingMean), mean, momentum);
            moveTowards(values(movingVariance), inverse, momentum);
          } else {
            mean.set(values(movingMean));
            inverse.set(values(movingVariance));
          }
          for (let c = 0; c < channels; c++) inverse[c] = 1 / Math.sqrt(f32(inverse[c]) + epsilon);
          const [scale, shift, g, b] = [
            buffers.floats(buffers.scale),
            buffers.floats(buffers.shift),
            values(gamma),
            values(beta),
          ];
          for (let c = 0; c < channels; c++) {
            scale[c] = g[c] * inverse[c];
            shift[c] = b[c] - mean[c] * scale[c];
          }
          k.channelAffine(x, 0, y, buffers.scale, 0, buffers.shift, cells, channels);
        },
        backward(n) {
          const cells = n * cellsPerImage;
          // Σ dy and Σ dy · (x − mean) per channel: beta's gradient, and gamma's once scaled.
          k.channelSums(dy, x, buffers.mean, buffers.sums, buffers.products, cells, channels);
          const sumDy = buffers.doubles(buffers.sums);
          const sumDyXhat = buffers.doubles(buffers.products).map((v, c) => v * inverse[c]);
          if (gamma.grad) scratch.view(gamma.grad, channels).set(sumDyXhat);
          if (beta.grad) scratch.view(beta.grad, channels).set(sumDy);
          if (!dx) return;
          // dx = A dy + B x + C per channel; in training the batch's mean and variance depend on
          // every input of the channel: A (dy − Σdy/cells − x̂ Σ(dy x̂)/cells) expanded.
          const [scale, weight, shift, g, mean] = [
            buffers.floats(buffers.scale),
            buffers.floats(buffers.weight),
            buffers.floats(buffers.shift),
            values(gamma),
            buffers.floats(buffers.mean),
          ];
          for (let c = 0; c < channels; c++) {
            const a = g[c] * inverse[c];
            const w = training ? (-a * inverse[c] * sumDyXhat[c]) / cells : 0;
            scale[c] = a;
            weight[c] = w;
            shift[c] = training ? (-a * sumDy[c]) / cells - w * mean[c] : 0;
          }
          k.channelAffine(dy, x, dx, buffers.scale, buffers.weight, buffers.shift, cells, channels);
        },
      };
    },
  };
}

/** moving ← moving − (moving − batch) · (1 − momentum), each step rounded to float32 as tfjs does. */
function moveTowards(moving: Float32Array, batch: ArrayLike<number>, momentum: number): void {
  const decay = f32(1 - momentum);
  for (let c = 0; c < moving.length; c++) moving[c] = f32(moving[c] - f32(f32(moving[c] - batch[c]) * decay));
}

// The learned filters of one convolution layer as a labelled grid (the homework's Figure 3):
// one tile per (filter, input channel), each weight a block of colour on a blue–white–red
// scale centred on zero and shared by the whole layer, so tiles compare.
import { divergingScale, maxAbs } from './colour';
import { renderGrid, tilePicture, type Grid, type GridCell } from './grid';
import { upscale } from './picture';

/** A Conv2D kernel as tfjs keeps it: shape [kernelRows, kernelCols, inChannels, filters], row-major. */
export interface Kernel {
  layer: string;
  shape: number[];
  values: ArrayLike<number>;
}

export interface KernelDims {
  kernelRows: number;
  kernelCols: number;
  inChannels: number;
  filters: number;
}

export function kernelDims(kernel: Kernel): KernelDims {
  if (kernel.shape.length !== 4)
    throw new Error(
      `${kernel.layer}: kernel shape [${kernel.shape}] is not [rows, cols, inChannels, filters]`,
    );
  const [kernelRows, kernelCols, inChannels, filters] = kernel.shape;
  if (kernel.values.length !== kernelRows * kernelCols * inChannels * filters)
    throw new Error(`${kernel.layer}: ${kernel.values.length} values for shape [${kernel.shape}]`);
  return { kernelRows, kernelCols, inChannels, filters };
}

/** The kernelRows × kernelCols weights of one filter on one input channel. */
export function filterWeights(kernel: Kernel, filter: number, channel: number): Float32Array {
  const { kernelRows, kernelCols, inChannels, filters } = kernelDims(kernel);
  const out = new Float32Array(kernelRows * kernelCols);
  for (let i = 0; i < kernelRows * kernelCols; i++)
    out[i] = kernel.values[(i * inChannels + channel) * filters + filter];
  return out;
}

/**
 * Where each (filter, channel) goes: a layer reading one channel (the first) shows its filters
 * in one row; deeper layers show one row per filter and one column per input channel
 * (12 × 12 for conv2d_1, 8 × 12 for conv2d_2 in Figure 1).
 */
export function filterLayout(dims: KernelDims): {
  rows: number;
  cols: number;
  at(row: number, col: number): { filter: number; channel: number };
} {
  if (dims.inChannels === 1)
    return { rows: 1, cols: dims.filters, at: (_r, c) => ({ filter: c, channel: 0 }) };
  return { rows: dims.filters, cols: dims.inChannels, at: (r, c) => ({ filter: r, channel: c }) };
}

/**
 * The filters of a layer that reads RGB images, one colour tile each (as AlexNet's first layer
 * is shown): a weight's three channels are its red, green and blue, mapped 0.5 + w ÷ (2 × the
 * layer's largest |w|), so zero is mid gray and tiles compare.
 */
export function rgbFilterGrid(kernel: Kernel, options: { scale: number; title?: string }): Grid {
  const dims = kernelDims(kernel);
  if (dims.inChannels !== 3) throw new Error(`${kernel.layer}: ${dims.inChannels} input channels, not RGB`);
  const largest = maxAbs(kernel.values) || 1;
  const pixels = dims.kernelRows * dims.kernelCols;
  const cells: GridCell[][] = [
    Array.from({ length: dims.filters }, (_, filter) => {
      const data = new Float32Array(pixels * 3);
      for (let channel = 0; channel < 3; channel++)
        filterWeights(kernel, filter, channel).forEach((w, i) => {
          data[i * 3 + channel] = 0.5 + w / (2 * largest);
        });
      const picture = upscale({ rows: dims.kernelRows, cols: dims.kernelCols, data }, options.scale * 2);
      return { picture };
    }),
  ];
  return renderGrid({
    title: `${options.title ?? `${kernel.layer}: ${dims.filters} filters of ${dims.kernelRows}×${dims.kernelCols}×3`} (RGB; 0 = mid gray)`,
    cells,
    rowLabels: ['filter'],
    colLabels: Array.from({ length: dims.filters }, (_, c) => `${c + 1}`),
  });
}

export function filterGrid(kernel: Kernel, options: { scale: number; title?: string }): Grid {
  const dims = kernelDims(kernel);
  const layout = filterLayout(dims);
  const colours = divergingScale(maxAbs(kernel.values));
  // A layer with one input channel has few tiles: draw them twice as large.
  const scale = dims.inChannels === 1 ? options.scale * 2 : options.scale;
  const cells: GridCell[][] = Array.from({ length: layout.rows }, (_, r) =>
    Array.from({ length: layout.cols }, (_, c) => {
      const { filter, channel } = layout.at(r, c);
      return {
        picture: tilePicture(
          filterWeights(kernel, filter, channel),
          dims.kernelRows,
          dims.kernelCols,
          colours,
          scale,
        ),
      };
    }),
  );
  const oneRow = dims.inChannels === 1;
  return renderGrid({
    title:
      options.title ??
      `${kernel.layer}: ${dims.filters} filters of ${dims.kernelRows}×${dims.kernelCols}×${dims.inChannels}`,
    cells,
    rowLabels: oneRow ? ['filter'] : Array.from({ length: dims.filters }, (_, f) => `filter ${f + 1}`),
    colLabels: Array.from({ length: layout.cols }, (_, c) => (oneRow ? `${c + 1}` : `in ${c + 1}`)),
    legend: { scale: colours, label: 'weight (0 = white)' },
  });
}

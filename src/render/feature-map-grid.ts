// Feature maps as labelled grids (the homework's Figures 4–5): for one image, every conv and
// pooling layer as a row of channels; for one layer, the chosen images side by side with one
// colour scale, so what separates a 0 from an 8 shows at a glance.
import type { LayerActivation } from '../probes/activations';
import { channelMap } from '../probes/activations';
import { divergingScale, maxAbs, sequentialScale, type ColourScale } from './colour';
import { renderGrid, scaleFor, tilePicture, type Grid, type GridCell } from './grid';
import { imagePicture, upscale, type RgbPicture } from './picture';

/** A test image being probed: its index in the test set, its label and pixels 0..1. */
export interface ProbedImage {
  index: number;
  label: number;
  pixels: Float32Array;
  rows: number;
  cols: number;
  /** 1 (gray, the default) or 3 (RGB interleaved). */
  channels?: number;
}

/** Tile side in pixels that feature maps of any size are scaled towards. */
const TILE = 72;

export function imageCell(image: ProbedImage, target = TILE): GridCell {
  const picture: RgbPicture = upscale(
    imagePicture(image.pixels, image.rows, image.cols, image.channels),
    scaleFor(Math.max(image.rows, image.cols), target),
  );
  return { picture };
}

export function imageName(image: ProbedImage): string {
  return `digit ${image.label} (test #${image.index})`;
}

function activationValues(activation: LayerActivation, image: number): Float32Array {
  const size = activation.height * activation.width * activation.channels;
  return activation.values.subarray(image * size, (image + 1) * size);
}

const shapeText = (a: LayerActivation) => `${a.height}×${a.width}×${a.channels}`;
const fmt = (v: number) => v.toPrecision(2);
const UNIT = sequentialScale(1);

/** 0..max for outputs that are never negative (after relu or max pooling); centred on zero otherwise (batch normalization, linear convolutions). */
function activationScale(values: ArrayLike<number>, max: number): ColourScale {
  for (let i = 0; i < values.length; i++) if (values[i] < 0) return divergingScale(max);
  return sequentialScale(max);
}

/**
 * One image through the network: a row per recorded layer (tiles normalised to that layer's
 * largest activation for this image, given in the row label), the input digit on the left.
 */
export function imageLayersGrid(
  activations: LayerActivation[],
  image: ProbedImage,
  position: number,
  model?: string,
): Grid {
  const channels = Math.max(...activations.map((a) => a.channels));
  const cells = activations.map((activation, row) => {
    // Each row on its own scale: deeper layers have larger activations and would wash out the first.
    const values = activationValues(activation, position);
    const max = maxAbs(values) || 1;
    const colours = activationScale(values, 1);
    const tileScale = scaleFor(Math.max(activation.height, activation.width), TILE);
    const tiles = Array.from({ length: channels }, (_, c): GridCell | null => {
      if (c >= activation.channels) return null;
      const map = channelMap(activation, position, c).map((v) => v / max);
      return { picture: tilePicture(map, activation.height, activation.width, colours, tileScale) };
    });
    return [row === 0 ? imageCell(image) : null, ...tiles];
  });
  return renderGrid({
    title: `${model ? `${model}: f` : 'F'}eature maps of ${imageName(image)} after every convolution, pooling and batch-normalization layer`,
    cells,
    rowLabels: activations.map(
      (a) => `${a.layer} ${shapeText(a)}, max ${fmt(maxAbs(activationValues(a, position)))}`,
    ),
    colLabels: ['input', ...Array.from({ length: channels }, (_, c) => `${c + 1}`)],
    legend: { scale: UNIT, label: 'activation ÷ row max', format: (v) => v.toFixed(1) },
  });
}

/** One layer, the chosen images one per row on a common scale (0..largest activation of any of them). */
export function compareImagesGrid(
  activation: LayerActivation,
  images: ProbedImage[],
  layerNumber: number,
  model?: string,
): Grid {
  const scale = activationScale(activation.values, maxAbs(activation.values));
  const tileScale = scaleFor(Math.max(activation.height, activation.width), TILE);
  const cells = images.map((image, position) => [
    imageCell(image),
    ...Array.from(
      { length: activation.channels },
      (_, c): GridCell => ({
        picture: tilePicture(
          channelMap(activation, position, c),
          activation.height,
          activation.width,
          scale,
          tileScale,
        ),
      }),
    ),
  ]);
  const digits = images.map((i) => i.label).join(' and ');
  return renderGrid({
    title: `${model ? `${model}: l` : 'L'}ayer ${layerNumber}, ${activation.layer} (${activation.type} ${shapeText(activation)}): feature maps of ${digits}`,
    cells,
    rowLabels: images.map(imageName),
    colLabels: ['input', ...Array.from({ length: activation.channels }, (_, c) => `${c + 1}`)],
    legend: { scale, label: 'activation' },
  });
}

// The shift test as a picture (the homework's Figure 6): one row per direction, one column per
// shift in pixels, each shifted digit captioned with the predicted label and its probability
// (a ✗ marks a wrong prediction).
import { renderGrid, type Grid } from './grid';
import { imagePicture, upscale } from './picture';

export interface ShiftedDigit {
  direction: string;
  pixels: number;
  image: Float32Array;
  predicted: number;
  probability: number;
}

export function shiftStripGrid(
  shifted: ShiftedDigit[],
  options: {
    rows: number;
    cols: number;
    channels?: number;
    label: number;
    index: number;
    scale: number;
    model?: string;
  },
): Grid {
  const directions = [...new Set(shifted.map((s) => s.direction))];
  const amounts = [...new Set(shifted.map((s) => s.pixels))].sort((a, b) => a - b);
  const cells = directions.map((direction) =>
    amounts.map((pixels) => {
      const s = shifted.find((x) => x.direction === direction && x.pixels === pixels);
      if (!s) return null;
      const mark = s.predicted === options.label ? '' : ' ✗';
      return {
        picture: upscale(imagePicture(s.image, options.rows, options.cols, options.channels), options.scale),
        caption: `${s.predicted} (${s.probability.toFixed(2)})${mark}`,
      };
    }),
  );
  return renderGrid({
    title: `${options.model ? `${options.model}: d` : 'D'}igit ${options.label} (test #${options.index}) shifted, with predicted label (probability)`,
    cells,
    rowLabels: directions,
    colLabels: amounts.map((p) => `${p} px`),
    gap: 6,
  });
}

// Text on pixel pictures: all labels of a picture are laid out as one transparent SVG, rendered
// by resvg with the bundled DejaVu Sans (./fonts), and blended over the pixels. So grids keep
// exact pixels for their tiles and still get real, readable type.
import { FONT_FAMILY, RESVG_FONTS } from './fonts';
import type { RgbPicture } from './picture';

export interface TextLabel {
  text: string;
  /** Anchor point in picture pixels: `x` per `anchor`, `y` the baseline. */
  x: number;
  y: number;
  size?: number;
  anchor?: 'start' | 'middle' | 'end';
  bold?: boolean;
  colour?: string;
}

/** Rough width of a text in pixels (DejaVu Sans averages ~0.6 em per character), for layout. */
export function textWidth(text: string, size: number): number {
  return Math.ceil(text.length * size * 0.6);
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

/** Draws the labels onto the picture in place. */
export function drawText(picture: RgbPicture, labels: readonly TextLabel[]): void {
  if (labels.length === 0) return;
  const texts = labels.map(
    (l) =>
      `<text x="${l.x}" y="${l.y}" font-size="${l.size ?? 13}" text-anchor="${l.anchor ?? 'start'}"${l.bold ? ' font-weight="bold"' : ''} fill="${l.colour ?? '#111'}">${escapeXml(l.text)}</text>`,
  );
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${picture.cols}" height="${picture.rows}" font-family="${FONT_FAMILY}">${texts.join('')}</svg>`;
  // Loaded when first drawn: every worker thread loads the job kinds, few draw text.
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  const { PNG } = require('pngjs') as typeof import('pngjs');
  const rendered = new Resvg(svg, {
    fitTo: { mode: 'original' },
    font: RESVG_FONTS,
  }).render();
  // Decoding the PNG gives straight (not premultiplied) alpha, which is what blending wants.
  const overlay = PNG.sync.read(Buffer.from(rendered.asPng()));
  const { data } = picture;
  for (let i = 0; i < picture.rows * picture.cols; i++) {
    const alpha = overlay.data[i * 4 + 3] / 255;
    if (alpha === 0) continue;
    for (let ch = 0; ch < 3; ch++)
      data[i * 3 + ch] = data[i * 3 + ch] * (1 - alpha) + (overlay.data[i * 4 + ch] / 255) * alpha;
  }
}

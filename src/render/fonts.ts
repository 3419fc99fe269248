// The one font of every chart and labelled picture: DejaVu Sans from the npm package
// dejavu-fonts-ttf, handed to resvg as files, system fonts never loaded. So a figure has its text
// on a machine without fonts, and the same results give the same PNG bytes on every machine.
import path from 'node:path';
import type { ResvgRenderOptions } from '@resvg/resvg-js';

export const FONT_FAMILY = 'DejaVu Sans';

const fontFolder = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');

export const RESVG_FONTS: ResvgRenderOptions['font'] = {
  fontFiles: ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((file) => path.join(fontFolder, file)),
  loadSystemFonts: false,
  defaultFontFamily: FONT_FAMILY,
  // Whatever family an SVG names (vega writes "sans-serif"), it resolves to the bundled font.
  sansSerifFamily: FONT_FAMILY,
  serifFamily: FONT_FAMILY,
  monospaceFamily: FONT_FAMILY,
};

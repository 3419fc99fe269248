// One figure of the report: its caption first (what it answers), then the picture — one per seed
// behind a seed chooser (radio buttons and CSS, no script) where each seed has its own — with
// links to the PNG and SVG files. Pictures load lazily and carry their size, so the page does not
// jump while they arrive.
import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { imageSize } from 'image-size';
import { escapeHtml, href, link } from './html';
import type { ReportFile } from './run-contents';
import { flattenFiles } from './run-contents';
import type { SeedCopy, Slot } from './slots';

/** Width and height from the file's first bytes (PNG header, SVG root tag), or undefined. */
function sizeOf(runDir: string, file: ReportFile): { width: number; height: number } | undefined {
  const buffer = Buffer.alloc(4096);
  let fd: number | undefined;
  try {
    fd = openSync(path.join(runDir, ...file.path.split('/')), 'r');
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    const { width, height } = imageSize(buffer.subarray(0, read));
    return width && height ? { width, height } : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function imageTag(runDir: string, file: ReportFile, alt: string, className = ''): string {
  const size = sizeOf(runDir, file);
  const dims = size ? ` width="${size.width}" height="${size.height}"` : '';
  const cls = className ? ` class="${className}"` : '';
  return `<img src="${href(file.path)}" alt="${escapeHtml(alt)}" loading="lazy"${dims}${cls}>`;
}

export interface FigureOptions {
  runDir: string;
  id: string;
  /** "Figure 7" for a figure the homework numbers. */
  number?: string;
  caption: string;
  /** Pictures shown of a folder of pictures (the rest are linked through the folder). */
  maxGalleryImages: number;
  /** A panel shown before the seeds' (a mean ± sd chart across them). */
  summary?: { label: string; body: string };
}

function copyBody(copy: SeedCopy, options: FigureOptions): string {
  const { file, svg } = copy;
  if (file.kind !== 'folder') {
    const links = `${link(file.path, path.posix.extname(file.path).slice(1).toUpperCase() || 'file')}${svg ? ` · ${link(svg.path, 'SVG')}` : ''}`;
    return `${imageTag(options.runDir, file, options.caption)}<p class="source">${links}</p>`;
  }
  const images = flattenFiles(file.children ?? []).filter((f) => f.kind === 'image');
  const shown = images.slice(0, options.maxGalleryImages);
  const thumbs = shown.map(
    (f) =>
      `<figure>${imageTag(options.runDir, f, path.posix.basename(f.path))}<figcaption>${escapeHtml(path.posix.basename(f.path))}</figcaption></figure>`,
  );
  const note = images.length > shown.length ? `first ${shown.length} of ${images.length} pictures; ` : '';
  return `<div class="gallery thumbs">${thumbs.join('')}</div><p class="source">${note}${link(file.path, 'open the folder')}</p>`;
}

/** Radio buttons and panels: CSS shows the panel of the checked button (style.ts). */
export function seedTabs(name: string, panels: { label: string; body: string }[]): string {
  const inputs = panels.map(
    (p, i) =>
      `<input type="radio" name="${name}" id="${name}-${i}"${i === 0 ? ' checked' : ''}><label for="${name}-${i}">${escapeHtml(p.label)}</label>`,
  );
  return `<div class="seeds">${inputs.join('')}${panels.map((p) => `<div class="panel">${p.body}</div>`).join('')}</div>`;
}

export function figureHtml(slot: Slot, options: FigureOptions): string {
  const number = options.number ? `<strong>${escapeHtml(options.number)}:</strong> ` : '';
  const caption = `<figcaption>${number}${escapeHtml(options.caption)}</figcaption>`;
  const panels = slot.copies.map((copy, i) => ({
    label: copy.seed ?? `copy ${i + 1}`,
    body: copyBody(copy, options),
  }));
  if (options.summary) panels.unshift(options.summary);
  const body = panels.length === 1 ? panels[0].body : seedTabs(options.id, panels);
  return `<figure class="slot" id="${escapeHtml(options.id)}">${caption}${body}</figure>`;
}

// Where a square patch can sit on an image: every top-left offset (row, col) on the stride grid
// with the whole patch inside the image. Positions are numbered row-major: k = i · cols + j.

export class OcclusionSettingsError extends Error {
  override name = 'OcclusionSettingsError';
  /** The offending setting (`patch` or `stride`), so callers can name the config field. */
  constructor(
    readonly field: 'patch' | 'stride',
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export interface OcclusionGrid {
  imageRows: number;
  imageCols: number;
  /** Values per pixel (1 gray, 3 RGB, channel-last): a patch covers all of them. */
  channels: number;
  patch: number;
  stride: number;
  /** Top-left row of the patch for each grid row, ascending. */
  rowOffsets: number[];
  /** Top-left column of the patch for each grid column, ascending. */
  colOffsets: number[];
  /** rowOffsets.length × colOffsets.length. */
  count: number;
}

function offsets(size: number, patch: number, stride: number): number[] {
  const out: number[] = [];
  for (let at = 0; at + patch <= size; at += stride) out.push(at);
  return out;
}

export function occlusionGrid(
  imageRows: number,
  imageCols: number,
  patch: number,
  stride: number,
  channels = 1,
): OcclusionGrid {
  if (!Number.isInteger(patch) || patch < 1)
    throw new OcclusionSettingsError('patch', `expected a positive integer, got ${patch}`);
  if (!Number.isInteger(stride) || stride < 1)
    throw new OcclusionSettingsError('stride', `expected an integer of at least 1, got ${stride}`);
  if (patch > imageRows || patch > imageCols) {
    throw new OcclusionSettingsError(
      'patch',
      `a ${patch}×${patch} patch does not fit in the ${imageRows}×${imageCols} images`,
    );
  }
  const rowOffsets = offsets(imageRows, patch, stride);
  const colOffsets = offsets(imageCols, patch, stride);
  return {
    imageRows,
    imageCols,
    channels,
    patch,
    stride,
    rowOffsets,
    colOffsets,
    count: rowOffsets.length * colOffsets.length,
  };
}

/** Top-left pixel of position k. */
export function positionAt(grid: OcclusionGrid, k: number): { row: number; col: number } {
  const cols = grid.colOffsets.length;
  return { row: grid.rowOffsets[Math.floor(k / cols)], col: grid.colOffsets[k % cols] };
}

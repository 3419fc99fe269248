import { occlusionGrid, OcclusionSettingsError, positionAt } from '../../src/occlusion/grid';
import { occlusionConfigSchema } from '../../src/kinds/occlusion/occlusion';

describe('occlusion grid', () => {
  test.each([
    // image rows, cols, patch, stride → grid rows, grid cols, last row offset, last col offset
    [28, 28, 8, 1, 21, 21, 20, 20],
    [28, 28, 5, 2, 12, 12, 22, 22],
    [28, 28, 3, 5, 6, 6, 25, 25],
    [28, 28, 28, 1, 1, 1, 0, 0],
    [10, 16, 4, 3, 3, 5, 6, 12],
  ])(
    '%i×%i image, patch %i, stride %i → %i×%i positions',
    (rows, cols, patch, stride, gridRows, gridCols, lastRow, lastCol) => {
      const grid = occlusionGrid(rows, cols, patch, stride);
      expect(grid.rowOffsets.length).toBe(gridRows);
      expect(grid.colOffsets.length).toBe(gridCols);
      expect(grid.count).toBe(gridRows * gridCols);
      expect(grid.rowOffsets[0]).toBe(0);
      expect(grid.rowOffsets.at(-1)).toBe(lastRow);
      expect(grid.colOffsets.at(-1)).toBe(lastCol);
      expect(grid.rowOffsets.every((r, i) => i === 0 || r - grid.rowOffsets[i - 1] === stride)).toBe(true);
      // Row-major numbering: the second position is one stride to the right (or the next row on a one-column grid).
      expect(positionAt(grid, 0)).toEqual({ row: 0, col: 0 });
      if (grid.count > 1)
        expect(positionAt(grid, 1)).toEqual(gridCols > 1 ? { row: 0, col: stride } : { row: stride, col: 0 });
      expect(positionAt(grid, grid.count - 1)).toEqual({ row: lastRow, col: lastCol });
    },
  );

  test('a patch larger than the image, or a stride below 1, is an error naming the setting', () => {
    expect(() => occlusionGrid(28, 28, 29, 1)).toThrow(
      new OcclusionSettingsError('patch', 'a 29×29 patch does not fit in the 28×28 images'),
    );
    expect(() => occlusionGrid(28, 20, 24, 1)).toThrow(
      /^patch: a 24×24 patch does not fit in the 28×20 images$/,
    );
    expect(() => occlusionGrid(28, 28, 8, 0)).toThrow(/^stride: expected an integer of at least 1, got 0$/);
    expect(() => occlusionGrid(28, 28, 8, 1.5)).toThrow(/^stride:/);
    expect(() => occlusionGrid(28, 28, 0, 1)).toThrow(/^patch:/);
  });

  test('the config schema fills defaults and names bad fields', () => {
    expect(occlusionConfigSchema.parse({ model: 'train' })).toMatchObject({
      mode: 'maps',
      patch: 8,
      stride: 1,
      fill: 0,
      threshold: 0.5,
    });
    const stride = occlusionConfigSchema.safeParse({ model: 'train', stride: 0 });
    expect(stride.success).toBe(false);
    expect(stride.error!.issues[0]).toMatchObject({
      path: ['stride'],
      message: 'expected an integer of at least 1',
    });
    const patch = occlusionConfigSchema.safeParse({ model: 'train', patch: '8px' });
    expect(patch.error!.issues[0].path).toEqual(['patch']);
    const fill = occlusionConfigSchema.safeParse({ model: 'train', fill: 'grey' });
    expect(fill.error!.issues[0].path).toEqual(['fill']);
    const images = occlusionConfigSchema.safeParse({ model: 'train', images: { firstOfLabel: -1 } });
    expect(images.success).toBe(false);
    expect(occlusionConfigSchema.safeParse({ model: 'train', images: [11, 3] }).success).toBe(true);
    expect(
      occlusionConfigSchema.safeParse({ model: 'train', images: 'all', mode: 'population' }).success,
    ).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { boxIntersection, boxIoU, boxRelation, cropBox, relativeBoxes } from './box';
import { tilePairs } from './tile-pairs';

describe('boxes (y up)', () => {
  it('intersection, IoU and relations', () => {
    const a = [0, 10, 10, 0] as const;
    expect(boxIntersection(a, [5, 15, 15, 5])).toEqual([5, 10, 10, 5]);
    expect(boxIoU(a, [5, 15, 15, 5])).toBeCloseTo(25 / 175, 12);
    expect(boxIoU(a, a)).toBe(1);
    expect(boxRelation(a, [10, 10, 20, 0])).toBe('edge');
    expect(boxRelation(a, [10, 20, 20, 10])).toBe('corner');
    expect(boxRelation(a, [10.5, 10, 20, 0])).toBe('disjoint');
    expect(boxRelation(a, [9, 10, 20, 0])).toBe('overlap');
  });

  it('relative boxes start at the union lower-left; crop boxes follow pixel windows (y down)', () => {
    expect(relativeBoxes([[100, 50, 110, 40], [110, 50, 120, 40]])).toEqual([[0, 10, 10, 0], [10, 10, 20, 0]]);
    // a 10x10 px image covering [0, 100, 100, 0]; window x 2..6, y 0..5 (top rows)
    expect(cropBox([0, 100, 100, 0], 10, 10, [2, 0, 4, 5])).toEqual([20, 100, 60, 50]);
  });

  it('tile pairs: edge contacts by default, corners on request', () => {
    const tiles = [0, 1, 2, 3].map((i) => ({ box: [(i % 2) * 10, 20 - Math.floor(i / 2) * 10, (i % 2) * 10 + 10, 10 - Math.floor(i / 2) * 10] as const }));
    expect(tilePairs(tiles).map((p) => [p.a, p.b])).toEqual([[0, 1], [0, 2], [1, 3], [2, 3]]);
    expect(tilePairs(tiles, { contact: 'corner' })).toHaveLength(6);
    expect(tilePairs(tiles, { contact: 'overlap' })).toHaveLength(0);
  });
});

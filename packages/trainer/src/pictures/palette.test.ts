import { describe, expect, it } from 'vitest';
import { CATEGORICAL_PALETTE, classColor } from './palette';

describe('categorical palette', () => {
  it('gives fixed, distinct colours and black for ignored values', () => {
    expect(new Set(CATEGORICAL_PALETTE.map((c) => c.join())).size).toBe(CATEGORICAL_PALETTE.length);
    expect(CATEGORICAL_PALETTE.some((c) => c.join() === '0,0,0')).toBe(false);
    expect(classColor(0)).toEqual([31, 119, 180]);
    expect(classColor(21)).toEqual(CATEGORICAL_PALETTE[1]);
    expect(classColor(-1)).toEqual([0, 0, 0]);
    expect(classColor(255, 255)).toEqual([0, 0, 0]);
    expect(classColor(Number.NaN)).toEqual([0, 0, 0]);
  });
});

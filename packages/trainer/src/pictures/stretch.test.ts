import { describe, expect, it } from 'vitest';
import { percentile, stretchByte, stretchRange } from './stretch';

describe('percentile stretch', () => {
  it('interpolates percentiles like numpy and skips NaN', () => {
    const v = [4, 1, Number.NaN, 3, 2, 5];
    expect(percentile(v, 0)).toBe(1);
    expect(percentile(v, 50)).toBe(3);
    expect(percentile(v, 25)).toBe(2);
    expect(percentile(v, 90)).toBeCloseTo(4.6, 12);
    expect(percentile([Number.NaN], 50)).toBeNaN();
  });
  it('maps the range to bytes with clipping and ignores outliers', () => {
    const values = Array.from({ length: 101 }, (_, i) => i);
    values[100] = 1e6; // an outlier does not wash out the picture
    const r = stretchRange(values, { low: 2, high: 98 });
    expect(r.low).toBe(2);
    expect(r.high).toBe(98);
    expect(stretchByte(2, r)).toBe(0);
    expect(stretchByte(98, r)).toBe(255);
    expect(stretchByte(50, r)).toBe(128);
    expect(stretchByte(1e6, r)).toBe(255);
    expect(stretchByte(Number.NaN, r)).toBe(0);
    expect(stretchByte(3, { low: 3, high: 3 })).toBe(128);
    expect(stretchRange([0, 100, 5], {}, (i) => i !== 1).high).toBeCloseTo(4.9, 12);
  });
});

import { describe, expect, it } from 'vitest';
import { resampleHwc } from './resample';

describe('resampleHwc', () => {
  it('identity at the same size for every method', () => {
    const src = Float32Array.from({ length: 5 * 4 * 2 }, (_, i) => i * 0.5);
    for (const m of ['nearest', 'bilinear', 'bicubic'] as const) {
      const out = resampleHwc(src, 5, 4, 2, 5, 4, m);
      for (let i = 0; i < src.length; i++) expect(out[i]).toBeCloseTo(src[i]!, 5);
    }
  });

  it('bilinear 2x upsampling is pixel-area aligned (align_corners = false)', () => {
    const src = Float32Array.from([0, 10]); // 1 x 2
    const out = resampleHwc(src, 1, 2, 1, 1, 4, 'bilinear');
    // output centres at 0.25, 0.75, 1.25, 1.75 source pixels; edges clamp
    expect(Array.from(out)).toEqual([0, 2.5, 7.5, 10]);
  });

  it('a constant image stays constant; antialiased downsampling averages', () => {
    const c = new Float32Array(8 * 8).fill(3);
    expect(Array.from(resampleHwc(c, 8, 8, 1, 3, 5, 'bicubic')).every((v) => Math.abs(v - 3) < 1e-5)).toBe(true);
    const stripes = Float32Array.from({ length: 64 }, (_, i) => (i % 2 ? 1 : 0));
    const down = resampleHwc(stripes, 8, 8, 1, 4, 4, 'bilinear');
    // interior outputs see a symmetric window: exact average; without antialias they alias
    for (const j of [1, 2]) expect(down[4 + j]).toBeCloseTo(0.5, 5);
    const aliased = resampleHwc(stripes, 8, 8, 1, 4, 4, 'bilinear', undefined, false);
    expect(aliased[5]).toBeCloseTo(0.5, 5); // centre 3.0: halfway between pixel 2 (0) and 3 (1)
  });

  it('crops a fractional window; nearest keeps integer labels', () => {
    const src = Float32Array.from({ length: 16 }, (_, i) => i); // 4 x 4, value = 4y + x
    const out = resampleHwc(src, 4, 4, 1, 2, 2, 'bilinear', [1, 1, 2, 2]);
    expect(Array.from(out)).toEqual([5, 6, 9, 10]);
    const labels = Int32Array.from({ length: 16 }, (_, i) => i % 3);
    const nn = resampleHwc(labels, 4, 4, 1, 8, 8, 'nearest');
    expect(nn).toBeInstanceOf(Int32Array);
    expect(nn[0]).toBe(0);
    expect(nn[2]).toBe(1);
  });
});

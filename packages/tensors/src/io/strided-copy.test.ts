import { describe, expect, it } from 'vitest';
import { contiguousStrides, gatherStrided, isContiguous, stridedExtent } from './strided-copy';

/** Reference: element i of the C-order output reads element offset + sum(idx_d * stride_d). */
function naive(src: Uint8Array, size: number, shape: number[], stride: number[], offset: number): Uint8Array {
  const numel = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(numel * size);
  for (let i = 0; i < numel; i++) {
    let rem = i;
    let at = offset;
    for (let d = shape.length - 1; d >= 0; d--) {
      at += (rem % shape[d]!) * stride[d]!;
      rem = Math.floor(rem / shape[d]!);
    }
    out.set(src.subarray(at * size, at * size + size), i * size);
  }
  return out;
}

describe('strided copy', () => {
  it('computes C strides, contiguity and extents', () => {
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(contiguousStrides([])).toEqual([]);
    expect(isContiguous([2, 3], [3, 1])).toBe(true);
    expect(isContiguous([3, 2], [1, 3])).toBe(false);
    expect(isContiguous([1, 4], [99, 1])).toBe(true); // size-1 dims may have any stride
    expect(stridedExtent([4, 6], [1, 4])).toBe(3 + 20);
    expect(stridedExtent([0, 6], [6, 1])).toBe(-1);
  });
  it('matches a naive gather for transposes, slices, broadcasts and every item size', () => {
    const cases: [number[], number[], number][] = [
      [[4, 6], [1, 4], 0], // transpose of [6, 4]
      [[3, 4], [4, 1], 8], // row slice with storage offset
      [[2, 3, 4], [1, 8, 2], 1],
      [[5], [3], 2], // step slice
      [[3, 2], [0, 1], 0], // expanded (stride 0)
      [[], [], 5], // 0-d
      [[2, 0, 3], [0, 3, 1], 0], // empty
    ];
    for (const size of [1, 2, 4, 8]) {
      const src = new Uint8Array(64 * size).map((_, i) => (i * 37 + 11) & 0xff);
      for (const [shape, stride, offset] of cases) {
        expect(gatherStrided(src, size, shape, stride, offset)).toEqual(naive(src, size, shape, stride, offset));
      }
    }
  });
  it('accepts an unaligned source buffer', () => {
    const backing = new Uint8Array(1 + 24 * 4).map((_, i) => i);
    const src = backing.subarray(1);
    expect(gatherStrided(src, 4, [4, 6], [1, 4], 0)).toEqual(naive(src, 4, [4, 6], [1, 4], 0));
  });
});

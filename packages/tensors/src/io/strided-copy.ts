import { numelOf } from './dtype';

/** Strides (in elements) of a C-contiguous (row-major) tensor of this shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= shape[i]!;
  }
  return out;
}

/** Whether a strided view of this shape lays its elements out in C order (size-1 dims may have any stride). */
export function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== s) return false;
    s *= shape[i]!;
  }
  return true;
}

/** Largest element index (relative to the view's offset) a strided view reads; -1 when it is empty. */
export function stridedExtent(shape: readonly number[], stride: readonly number[]): number {
  if (numelOf(shape) === 0) return -1;
  let max = 0;
  for (let i = 0; i < shape.length; i++) max += (shape[i]! - 1) * stride[i]!;
  return max;
}

type Words = Uint8Array | Uint16Array | Uint32Array;

/**
 * Copy a strided view (non-negative strides, element `[0,...,0]` at element `offset` of `src`)
 * into a new C-contiguous byte buffer. `src` must be aligned to `itemSize` (a fresh buffer is).
 * Works on bit patterns, so NaN payloads and every dtype are copied exactly.
 */
export function gatherStrided(
  src: Uint8Array,
  itemSize: number,
  shape: readonly number[],
  stride: readonly number[],
  offset = 0,
): Uint8Array {
  const numel = numelOf(shape);
  const out = new Uint8Array(numel * itemSize);
  if (numel === 0) return out;
  // 8-byte items are copied as two 32-bit words.
  const word = itemSize === 8 ? 4 : itemSize;
  const per = itemSize / word;
  const make = (b: Uint8Array): Words =>
    word === 1
      ? b
      : word === 2
        ? new Uint16Array(b.buffer, b.byteOffset, b.length / 2)
        : new Uint32Array(b.buffer, b.byteOffset, b.length / 4);
  const from = make(src.byteOffset % word === 0 ? src : src.slice());
  const to = make(out);
  const rank = shape.length;
  if (rank === 0) {
    for (let w = 0; w < per; w++) to[w] = from[offset * per + w]!;
    return out;
  }
  const last = rank - 1;
  const n = shape[last]!;
  const st = stride[last]! * per;
  const index = new Array<number>(rank).fill(0);
  let base = offset * per;
  let o = 0;
  for (;;) {
    let p = base;
    for (let j = 0; j < n; j++, p += st) {
      for (let w = 0; w < per; w++) to[o++] = from[p + w]!;
    }
    // Advance the odometer over the outer dimensions.
    let d = last - 1;
    while (d >= 0) {
      index[d] = index[d]! + 1;
      base += stride[d]! * per;
      if (index[d]! < shape[d]!) break;
      base -= shape[d]! * stride[d]! * per;
      index[d] = 0;
      d--;
    }
    if (d < 0) return out;
  }
}

import { describe, expect, it } from 'vitest';
import {
  bfloat16BitsToFloatBits,
  bfloat16ToFloat32,
  float16ToFloat32,
  float32ToBfloat16,
  float32ToFloat16,
  floatBitsToBfloat16Bits,
  floatBitsToHalfBits,
  halfBitsToFloatBits,
} from './float16';

const f32 = (bits: number): number => new Float32Array(new Uint32Array([bits]).buffer)[0]!;
const bitsOf = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0]!;

/** Value of a binary16 pattern computed arithmetically (independent of the bit-level code). */
function halfValue(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

describe('float16', () => {
  it('widens every binary16 pattern to its exact value', () => {
    const bad: number[] = [];
    for (let h = 0; h < 65536; h++) {
      const v = f32(halfBitsToFloatBits(h));
      const want = halfValue(h);
      if (Number.isNaN(want) ? !Number.isNaN(v) : !Object.is(v, want)) bad.push(h);
    }
    expect(bad).toEqual([]);
  });
  it('round-trips every binary16 pattern (NaN payloads and signed zeros included)', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const back = float32ToFloat16(float16ToFloat32(all));
    const bad: number[] = [];
    for (let h = 0; h < 65536; h++) {
      // Signalling NaNs come back quiet; everything else is bit-identical.
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (back[h] !== (isNaN ? h | 0x200 : h)) bad.push(h);
    }
    expect(bad).toEqual([]);
  });
  it('rounds to nearest, ties to even, with overflow to infinity and subnormals', () => {
    const h = (x: number): number => floatBitsToHalfBits(bitsOf(x));
    expect(h(1 + 2 ** -11)).toBe(0x3c00); // tie -> even (1.0)
    expect(h(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (1 + 2^-9)
    expect(h(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // above the tie
    expect(h(65504)).toBe(0x7bff);
    expect(h(65519)).toBe(0x7bff);
    expect(h(65520)).toBe(0x7c00); // rounds to infinity
    expect(h(-1e9)).toBe(0xfc00);
    expect(h(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(h(2 ** -25)).toBe(0x0000); // tie between 0 and 2^-24 -> even (0)
    expect(h(3 * 2 ** -25)).toBe(0x0002); // tie between 1 and 2 ulps -> even (2)
    expect(h(2 ** -25 + 2 ** -40)).toBe(0x0001);
    expect(h(-0)).toBe(0x8000);
    expect(h(1e-45)).toBe(0); // float32 subnormal
    expect(h(2 ** -14 - 2 ** -25)).toBe(0x0400); // largest subnormal rounds up into the normals
  });
  it('picks the nearest binary16 value for random float32 inputs', () => {
    let seed = 12345;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const bad: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const x = Math.fround((rand() - 0.5) * 2 ** (rand() * 40 - 28));
      const hb = floatBitsToHalfBits(bitsOf(x));
      const got = halfValue(hb);
      // No binary16 neighbour of the result is closer.
      for (const n of [hb - 1, hb + 1]) {
        if ((n & 0x7fff) >= 0x7c00 || (n & 0x8000) !== (hb & 0x8000)) continue;
        if (Math.abs(halfValue(n) - x) < Math.abs(got - x)) bad.push(x);
      }
    }
    expect(bad).toEqual([]);
  });
});

describe('bfloat16', () => {
  it('widens exactly and round-trips every bfloat16 pattern', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const wide = bfloat16ToFloat32(all);
    const back = float32ToBfloat16(wide);
    const wideBits = new Uint32Array(wide.buffer);
    const bad: number[] = [];
    for (let b = 0; b < 65536; b++) {
      const isNaN = (b & 0x7f80) === 0x7f80 && (b & 0x7f) !== 0;
      if (wideBits[b] !== bfloat16BitsToFloatBits(b) || wideBits[b] !== ((b << 16) >>> 0)) bad.push(b);
      if (back[b] !== (isNaN ? b | 0x40 : b)) bad.push(b);
    }
    expect(bad).toEqual([]);
  });
  it('rounds to nearest, ties to even', () => {
    const b = (x: number): number => floatBitsToBfloat16Bits(bitsOf(x));
    expect(b(1 + 2 ** -8)).toBe(0x3f80); // tie -> even
    expect(b(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie -> even
    expect(b(1 + 2 ** -8 + 2 ** -20)).toBe(0x3f81);
    expect(b(-2)).toBe(0xc000);
    expect(b(3.4028234663852886e38)).toBe(0x7f80); // float32 max rounds to infinity
    expect(b(Infinity)).toBe(0x7f80);
    expect(Number.isNaN(f32(bfloat16BitsToFloatBits(b(NaN))))).toBe(true);
  });
});

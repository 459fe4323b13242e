// Exact conversions between IEEE binary16 / bfloat16 bit patterns and float32.
// Widening (16 -> 32 bits) is exact; narrowing rounds to nearest, ties to even, keeps infinities,
// and keeps NaNs as (quiet) NaNs with their sign and top payload bits.

let halfTable: Uint32Array | undefined;

/** The float32 bit pattern of one binary16 bit pattern (exact; subnormals, infinities and NaNs included). */
export function halfBitsToFloatBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) {
    if (mant === 0) return sign >>> 0;
    // Subnormal: value = mant * 2^-24 = 2^(k-24) * (1.rest) with k the top set bit of mant.
    const k = 31 - Math.clz32(mant);
    return (sign | ((k + 103) << 23) | ((mant ^ (1 << k)) << (23 - k))) >>> 0;
  }
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
}

/** The binary16 bit pattern nearest (ties to even) to a float32 bit pattern; overflow gives infinity. */
export function floatBitsToHalfBits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13);
  const halfExp = exp - 112;
  if (halfExp >= 0x1f) return sign | 0x7c00;
  if (halfExp <= 0) {
    // Result is subnormal (or zero): half mantissa = (1.mant * 2^(exp-127)) / 2^-24.
    if (exp < 102) return sign; // below half the smallest subnormal (float32 subnormals included)
    const full = mant | 0x800000;
    const shift = 126 - exp; // 14..24
    let m = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (m & 1) === 1)) m += 1;
    return sign | m;
  }
  let h = sign | (halfExp << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h += 1; // a carry into the exponent is correct
  return h;
}

/** The float32 bit pattern of one bfloat16 bit pattern (exact). */
export function bfloat16BitsToFloatBits(b: number): number {
  return ((b & 0xffff) << 16) >>> 0;
}

/** The bfloat16 bit pattern nearest (ties to even) to a float32 bit pattern; NaN stays a quiet NaN. */
export function floatBitsToBfloat16Bits(x: number): number {
  const u = x >>> 0;
  if ((u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff) !== 0) return ((u >>> 16) | 0x40) & 0xffff;
  const bias = 0x7fff + ((u >>> 16) & 1);
  return Math.floor((u + bias) / 65536) & 0xffff;
}

function table(): Uint32Array {
  if (!halfTable) {
    halfTable = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfBitsToFloatBits(h);
  }
  return halfTable;
}

/** Widen binary16 bit patterns to float32 values (exact). */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const t = table();
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = t[bits[i]!]!;
  return new Float32Array(out.buffer);
}

/** Narrow float32 values to binary16 bit patterns (round to nearest, ties to even). */
export function float32ToFloat16(values: Float32Array): Uint16Array {
  const src = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < src.length; i++) out[i] = floatBitsToHalfBits(src[i]!);
  return out;
}

/** Widen bfloat16 bit patterns to float32 values (exact). */
export function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i]! << 16;
  return new Float32Array(out.buffer);
}

/** Narrow float32 values to bfloat16 bit patterns (round to nearest, ties to even). */
export function float32ToBfloat16(values: Float32Array): Uint16Array {
  const src = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < src.length; i++) out[i] = floatBitsToBfloat16Bits(src[i]!);
  return out;
}

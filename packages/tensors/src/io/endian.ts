/** Whether this machine stores numbers little-endian (typed-array views are then valid on file bytes). */
export const HOST_LITTLE_ENDIAN: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A copy of `bytes` with every `itemSize`-byte element reversed (little <-> big endian). */
export function swapBytes(bytes: Uint8Array, itemSize: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  if (itemSize === 1) {
    out.set(bytes);
    return out;
  }
  for (let i = 0; i < bytes.length; i += itemSize) {
    for (let j = 0; j < itemSize; j++) out[i + j] = bytes[i + itemSize - 1 - j]!;
  }
  return out;
}

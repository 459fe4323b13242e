import { writeFileSync } from 'node:fs';

/**
 * The bytes of a NumPy `.npy` file (format 1.0) holding a C-order float32 or int32 array, as
 * `numpy.save` writes it: magic, a header dict padded so the data starts on a 64-byte boundary,
 * then the little-endian values.
 */
export function encodeNpy(data: Float32Array | Int32Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`encodeNpy: shape [${shape.join(', ')}] needs ${count} values, got ${data.length}`);
  const descr = data instanceof Float32Array ? '<f4' : '<i4';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const preamble = 10; // magic (6) + version (2) + header length (2)
  const total = Math.ceil((preamble + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - preamble - 1, ' ')}\n`;
  const out = new Uint8Array(total + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0); // \x93NUMPY 1.0
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), preamble);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(total + 4 * i, v, true));
  else data.forEach((v, i) => view.setInt32(total + 4 * i, v, true));
  return out;
}

/** Write a float32 or int32 array as a `.npy` file. */
export function writeNpy(path: string, data: Float32Array | Int32Array, shape: readonly number[]): void {
  writeFileSync(path, encodeNpy(data, shape));
}

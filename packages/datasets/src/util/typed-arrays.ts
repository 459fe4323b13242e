import type { ModalityDType } from '@terramae/tensors';

/** A numeric typed array as read from a file (no BigInt arrays). */
export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array;

/** The typed-array constructor of a storage dtype. */
export function typedArrayFor(dtype: ModalityDType | 'float64'): new (n: number) => NumericArray {
  switch (dtype) {
    case 'float32':
      return Float32Array;
    case 'float64':
      return Float64Array;
    case 'int8':
      return Int8Array;
    case 'uint8':
      return Uint8Array;
    case 'int16':
      return Int16Array;
    case 'uint16':
      return Uint16Array;
    case 'int32':
      return Int32Array;
    case 'uint32':
      return Uint32Array;
    case 'float16':
      throw new RangeError('float16 has no typed array in this runtime; store float32 instead.');
  }
}

/** The storage dtype of a typed array (BigInt arrays are not supported). */
export function dtypeOfArray(a: ArrayBufferView): ModalityDType | 'float64' | undefined {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint32Array) return 'uint32';
  return undefined;
}

/** HDF5 dtype string (h5wasm / NumPy style, little-endian) of a storage dtype. */
export function h5DtypeString(dtype: ModalityDType | 'float64'): string {
  const map: Record<string, string> = {
    float32: '<f', float64: '<d', int8: '<b', uint8: '<B', int16: '<h', uint16: '<H', int32: '<i', uint32: '<I',
  };
  const s = map[dtype];
  if (!s) throw new RangeError(`dtype ${dtype} cannot be written to HDF5 here`);
  return s;
}

/** Storage dtype of an h5wasm dataset from its metadata, or `undefined` when it has no typed array. */
export function dtypeOfH5Metadata(md: { type: number; size: number; signed: boolean }): ModalityDType | 'float64' | undefined {
  if (md.type === 1) return md.size === 4 ? 'float32' : md.size === 8 ? 'float64' : md.size === 2 ? 'float16' : undefined;
  if (md.type !== 0) return undefined;
  if (md.size === 1) return md.signed ? 'int8' : 'uint8';
  if (md.size === 2) return md.signed ? 'int16' : 'uint16';
  if (md.size === 4) return md.signed ? 'int32' : 'uint32';
  return undefined;
}

/** Convert any read value to a numeric typed array (BigInt arrays become Float64Array). */
export function toNumericArray(value: unknown): NumericArray {
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) {
    return Float64Array.from(value as ArrayLike<bigint>, (v) => Number(v));
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return value as NumericArray;
  if (Array.isArray(value)) return Float64Array.from(value as number[]);
  if (typeof value === 'number') return Float64Array.of(value);
  throw new TypeError('expected numeric data');
}

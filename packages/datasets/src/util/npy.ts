import { readFileSync } from 'node:fs';
import { DatasetFileError, DatasetFormatError } from '../errors';
import type { NumericArray } from './typed-arrays';

/** A NumPy array read from a `.npy` file (C order). */
export interface NpyArray {
  readonly data: NumericArray;
  readonly shape: readonly number[];
  /** NumPy dtype string, e.g. `<f4`. */
  readonly dtype: string;
}

const CTORS: Record<string, new (buf: ArrayBuffer, offset: number, length: number) => NumericArray> = {
  '<f4': Float32Array, '<f8': Float64Array, '|i1': Int8Array, '|u1': Uint8Array, '<i2': Int16Array,
  '<u2': Uint16Array, '<i4': Int32Array, '<u4': Uint32Array,
};

/** Read a `.npy` file (format v1–v3, little-endian numeric dtypes, C order), e.g. eo-learn exports. */
export function readNpy(path: string): NpyArray {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (cause) {
    throw new DatasetFileError(path, `Cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') {
    throw new DatasetFileError(path, `${path} is not a .npy file (no \\x93NUMPY magic).`);
  }
  const major = buf[6] as number;
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1] === 'True';
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new DatasetFileError(path, `${path}: cannot parse the .npy header "${header.trim()}".`);
  if (fortran) throw new DatasetFormatError(`${path}: Fortran-ordered .npy arrays are not supported; save with np.ascontiguousarray.`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const Ctor = CTORS[descr];
  if (!Ctor) throw new DatasetFormatError(`${path}: unsupported .npy dtype ${descr}.`);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  const bytes = buf.subarray(offset);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const data = new Ctor(copy.buffer, 0, count);
  return { data, shape, dtype: descr };
}

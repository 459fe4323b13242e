import * as tf from '@tensorflow/tfjs';
import { type SafetensorsDType, dtypeItemSize, isSafetensorsDType, numelOf } from './dtype';
import { HOST_LITTLE_ENDIAN, swapBytes } from './endian';
import { TensorDataError } from './errors';
import { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from './float16';

/**
 * A tensor as stored in a file: dtype, shape (C / row-major order) and its little-endian bytes.
 * `F16`/`BF16` stay raw 16-bit patterns and `BOOL` is one byte (0/1) per element, so bytes read
 * from a checkpoint can be compared and rewritten exactly.
 */
export interface RawTensor {
  /** Element type. */
  dtype: SafetensorsDType;
  /** Dimensions; `[]` for a 0-d scalar. */
  shape: number[];
  /** `numel(shape) * itemSize(dtype)` little-endian bytes. */
  bytes: Uint8Array;
}

/** The typed array a {@link RawTensor} of each dtype reads as (`F16`/`BF16` as `Uint16Array` bit patterns). */
export type RawTypedArray =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

type TypedCtor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): RawTypedArray };

const VIEW: Record<SafetensorsDType, TypedCtor> = {
  F64: Float64Array,
  F32: Float32Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I64: BigInt64Array,
  I32: Int32Array,
  I16: Int16Array,
  I8: Int8Array,
  U64: BigUint64Array,
  U32: Uint32Array,
  U16: Uint16Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
};

function label(name: string | undefined): string {
  return name === undefined ? 'raw tensor' : `tensor '${name}'`;
}

/** Whether `value` looks like a {@link RawTensor} (known dtype, integer shape, `Uint8Array` bytes). */
export function isRawTensor(value: unknown): value is RawTensor {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<RawTensor>;
  return (
    isSafetensorsDType(v.dtype) &&
    Array.isArray(v.shape) &&
    v.shape.every((d) => Number.isSafeInteger(d) && d >= 0) &&
    v.bytes instanceof Uint8Array
  );
}

/** Throw a {@link TensorDataError} unless the byte count equals `numel(shape) * itemSize(dtype)`. */
export function checkRawTensor(raw: RawTensor, name?: string): void {
  if (!isSafetensorsDType(raw.dtype)) {
    throw new TensorDataError(`${label(name)} has unknown dtype ${JSON.stringify(raw.dtype)}.`);
  }
  if (!raw.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new TensorDataError(`${label(name)} has an invalid shape [${raw.shape.join(', ')}]: use non-negative integers.`);
  }
  const expected = numelOf(raw.shape) * dtypeItemSize(raw.dtype);
  if (raw.bytes.length !== expected) {
    throw new TensorDataError(
      `${label(name)} (${raw.dtype} [${raw.shape.join(', ')}]) has ${raw.bytes.length} bytes; expected ${expected}.`,
    );
  }
}

/**
 * The elements of a raw tensor as a typed array of its dtype (`I64` -> `BigInt64Array`,
 * `F16`/`BF16` -> `Uint16Array` bit patterns, `BOOL` -> `Uint8Array`). A view sharing memory with
 * `raw.bytes` when they are aligned (and the host is little-endian), otherwise a copy.
 */
export function rawToTypedArray(raw: RawTensor, name?: string): RawTypedArray {
  checkRawTensor(raw, name);
  const size = dtypeItemSize(raw.dtype);
  let bytes = raw.bytes;
  if (!HOST_LITTLE_ENDIAN) bytes = swapBytes(bytes, size);
  else if (bytes.byteOffset % size !== 0) bytes = bytes.slice();
  return new VIEW[raw.dtype](bytes.buffer, bytes.byteOffset, bytes.length / size);
}

function toSafeNumber(v: bigint, i: number, raw: RawTensor, name: string | undefined): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new TensorDataError(`${label(name)} (${raw.dtype}) element ${i} = ${v} is beyond 2^53 and cannot be a JS number exactly.`);
  }
  return Number(v);
}

/**
 * The elements of an integer or `BOOL` raw tensor as an `Int32Array`, checking that every value
 * fits (e.g. `I64` index tensors). Throws a {@link TensorDataError} naming the element otherwise.
 */
export function rawToInt32Array(raw: RawTensor, name?: string): Int32Array {
  const data = rawToTypedArray(raw, name);
  if (raw.dtype === 'F64' || raw.dtype === 'F32' || raw.dtype === 'F16' || raw.dtype === 'BF16') {
    throw new TensorDataError(`${label(name)} is ${raw.dtype}; rawToInt32Array needs an integer or BOOL tensor.`);
  }
  if (raw.dtype === 'I32') return Int32Array.from(data as Int32Array);
  if (raw.dtype === 'BOOL') return Int32Array.from(data as Uint8Array, (v) => (v !== 0 ? 1 : 0));
  const out = new Int32Array(data.length);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v > 2147483647n || v < -2147483648n) {
        throw new TensorDataError(`${label(name)} (${raw.dtype}) element ${i} = ${v} does not fit in int32.`);
      }
      out[i] = Number(v);
    }
    return out;
  }
  const nums = data as Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;
  for (let i = 0; i < nums.length; i++) {
    const v = nums[i]!;
    if (v > 2147483647) throw new TensorDataError(`${label(name)} (${raw.dtype}) element ${i} = ${v} does not fit in int32.`);
    out[i] = v;
  }
  return out;
}

/**
 * The elements of any raw tensor as plain numbers (`F16`/`BF16` widened exactly, `BOOL` as 0/1,
 * 64-bit integers checked to be within +-2^53).
 */
export function rawToNumberArray(raw: RawTensor, name?: string): number[] {
  switch (raw.dtype) {
    case 'F16':
      return Array.from(float16ToFloat32(rawToTypedArray(raw, name) as Uint16Array));
    case 'BF16':
      return Array.from(bfloat16ToFloat32(rawToTypedArray(raw, name) as Uint16Array));
    case 'I64':
    case 'U64': {
      const data = rawToTypedArray(raw, name) as BigInt64Array | BigUint64Array;
      return Array.from(data, (v, i) => toSafeNumber(v, i, raw, name));
    }
    case 'BOOL':
      return Array.from(rawToTypedArray(raw, name) as Uint8Array, (v) => (v !== 0 ? 1 : 0));
    default:
      return Array.from(rawToTypedArray(raw, name) as Float64Array);
  }
}

/**
 * The elements of a floating-point raw tensor as float32 (`F16`/`BF16` widened exactly, `F64`
 * rounded). Integer tensors are converted too. Always a fresh array.
 */
export function rawToFloat32Array(raw: RawTensor, name?: string): Float32Array {
  switch (raw.dtype) {
    case 'F32':
      return Float32Array.from(rawToTypedArray(raw, name) as Float32Array);
    case 'F16':
      return float16ToFloat32(rawToTypedArray(raw, name) as Uint16Array);
    case 'BF16':
      return bfloat16ToFloat32(rawToTypedArray(raw, name) as Uint16Array);
    default:
      return Float32Array.from(rawToNumberArray(raw, name));
  }
}

/**
 * @internal Make a tf.Tensor; when `owned` the F32/I32 bytes may be handed to tfjs without a copy
 * (the caller guarantees nobody else holds them).
 */
export function rawToTensorInternal(raw: RawTensor, name: string | undefined, owned: boolean): tf.Tensor {
  checkRawTensor(raw, name);
  const shape = raw.shape.slice();
  switch (raw.dtype) {
    case 'F32': {
      const view = rawToTypedArray(raw, name) as Float32Array;
      return tf.tensor(owned ? view : Float32Array.from(view), shape, 'float32');
    }
    case 'F64':
    case 'F16':
    case 'BF16':
      return tf.tensor(rawToFloat32Array(raw, name), shape, 'float32');
    case 'BOOL':
      return tf.tensor(Uint8Array.from(raw.bytes, (v) => (v !== 0 ? 1 : 0)), shape, 'bool');
    case 'I32': {
      const view = rawToTypedArray(raw, name) as Int32Array;
      return tf.tensor(owned ? view : Int32Array.from(view), shape, 'int32');
    }
    default:
      return tf.tensor(rawToInt32Array(raw, name), shape, 'int32');
  }
}

/**
 * A new tf.Tensor from a raw tensor: floats (`F32`, `F64`, `F16`, `BF16`) -> `float32`, integers
 * -> `int32` (64-bit and `U32` values range-checked), `BOOL` -> `bool`. The caller owns
 * (and disposes) the result; no other tensor is created.
 */
export function rawToTensor(raw: RawTensor, name?: string): tf.Tensor {
  return rawToTensorInternal(raw, name, false);
}

function bytesOf(data: RawTypedArray): Uint8Array {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return HOST_LITTLE_ENDIAN ? view.slice() : swapBytes(view, data.BYTES_PER_ELEMENT);
}

function defaultDtype(data: RawTypedArray): SafetensorsDType {
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof BigInt64Array) return 'I64';
  if (data instanceof BigUint64Array) return 'U64';
  if (data instanceof Int32Array) return 'I32';
  if (data instanceof Uint32Array) return 'U32';
  if (data instanceof Int16Array) return 'I16';
  if (data instanceof Uint16Array) return 'U16';
  if (data instanceof Int8Array) return 'I8';
  return 'U8';
}

/**
 * A {@link RawTensor} copying a typed array. `dtype` defaults to the array's own type; give it to
 * say that a `Uint16Array` holds `F16`/`BF16` bit patterns or that a `Uint8Array` holds `BOOL`.
 */
export function rawFromTypedArray(data: RawTypedArray, shape: readonly number[], dtype?: SafetensorsDType, name?: string): RawTensor {
  const own = defaultDtype(data);
  const dt = dtype ?? own;
  const compatible =
    dt === own ||
    (own === 'U16' && (dt === 'F16' || dt === 'BF16')) ||
    (own === 'U8' && dt === 'BOOL');
  if (!compatible) {
    throw new TensorDataError(`${label(name)}: a ${data.constructor.name} cannot hold ${dt} data; pass the matching typed array.`);
  }
  if (numelOf(shape) !== data.length) {
    throw new TensorDataError(`${label(name)}: shape [${shape.join(', ')}] needs ${numelOf(shape)} elements; the array has ${data.length}.`);
  }
  return { dtype: dt, shape: shape.slice(), bytes: bytesOf(data) };
}

function checkIntRange(values: ArrayLike<number>, lo: number, hi: number, dt: SafetensorsDType, name?: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo || v > hi) throw new TensorDataError(`${label(name)} element ${i} = ${v} does not fit in ${dt}.`);
  }
}

/**
 * The {@link RawTensor} of a tf.Tensor (reads it with `dataSync`). Default dtypes: `float32` ->
 * `F32`, `int32` -> `I32`, `bool` -> `BOOL`; `dtype` may ask for `F16`/`BF16`/`F64` (floats),
 * `I64`/`I16`/`I8`/`U8`/`U16`/`U32` (ints, range-checked) or `U8` (bools).
 */
export function tensorToRaw(t: tf.Tensor, dtype?: SafetensorsDType, name?: string): RawTensor {
  const shape = t.shape.slice();
  if (t.dtype === 'float32') {
    const data = t.dataSync() as Float32Array;
    const dt = dtype ?? 'F32';
    switch (dt) {
      case 'F32':
        return rawFromTypedArray(data, shape, 'F32', name);
      case 'F16':
        return rawFromTypedArray(float32ToFloat16(data), shape, 'F16', name);
      case 'BF16':
        return rawFromTypedArray(float32ToBfloat16(data), shape, 'BF16', name);
      case 'F64':
        return rawFromTypedArray(Float64Array.from(data), shape, 'F64', name);
      default:
        throw new TensorDataError(`${label(name)} is float32 and cannot be written as ${dt}: cast it first or use F32/F16/BF16/F64.`);
    }
  }
  if (t.dtype === 'int32') {
    const data = t.dataSync() as Int32Array;
    const dt = dtype ?? 'I32';
    switch (dt) {
      case 'I32':
        return rawFromTypedArray(data, shape, 'I32', name);
      case 'I64':
        return rawFromTypedArray(BigInt64Array.from(data, (v) => BigInt(v)), shape, 'I64', name);
      case 'I16':
        checkIntRange(data, -32768, 32767, dt, name);
        return rawFromTypedArray(Int16Array.from(data), shape, dt, name);
      case 'I8':
        checkIntRange(data, -128, 127, dt, name);
        return rawFromTypedArray(Int8Array.from(data), shape, dt, name);
      case 'U32':
        checkIntRange(data, 0, 2147483647, dt, name);
        return rawFromTypedArray(Uint32Array.from(data), shape, dt, name);
      case 'U16':
        checkIntRange(data, 0, 65535, dt, name);
        return rawFromTypedArray(Uint16Array.from(data), shape, dt, name);
      case 'U8':
        checkIntRange(data, 0, 255, dt, name);
        return rawFromTypedArray(Uint8Array.from(data), shape, dt, name);
      default:
        throw new TensorDataError(`${label(name)} is int32 and cannot be written as ${dt}: use I32/I64/I16/I8/U32/U16/U8.`);
    }
  }
  if (t.dtype === 'bool') {
    const dt = dtype ?? 'BOOL';
    if (dt !== 'BOOL' && dt !== 'U8') {
      throw new TensorDataError(`${label(name)} is bool and cannot be written as ${dt}: use BOOL or U8.`);
    }
    const data = t.dataSync() as Uint8Array;
    return rawFromTypedArray(Uint8Array.from(data, (v) => (v !== 0 ? 1 : 0)), shape, dt, name);
  }
  throw new TensorDataError(`${label(name)} has tfjs dtype ${t.dtype}, which safetensors IO does not write.`);
}

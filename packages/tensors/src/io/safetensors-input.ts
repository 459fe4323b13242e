import * as tf from '@tensorflow/tfjs';
import type { SafetensorsDType } from './dtype';
import { SafetensorsError } from './errors';
import { type RawTensor, type RawTypedArray, checkRawTensor, isRawTensor, rawFromTypedArray, tensorToRaw } from './raw-tensor';

/** A typed array with its shape, and optionally the dtype it holds (see {@link rawFromTypedArray}). */
export interface TypedTensorData {
  /** Elements in C (row-major) order. */
  data: RawTypedArray;
  /** Dimensions. */
  shape: readonly number[];
  /** Dtype to write; defaults to the array's own type. */
  dtype?: SafetensorsDType;
}

/** What the safetensors writers accept per tensor: a tf.Tensor, a {@link RawTensor}, or a typed array with its shape. */
export type SafetensorsInput = tf.Tensor | RawTensor | TypedTensorData;

/** Tensors to write, by name. */
export type SafetensorsInputs = Record<string, SafetensorsInput> | Map<string, SafetensorsInput>;

/** The entries of a record or map, in order. */
export function inputEntries(tensors: SafetensorsInputs): [string, SafetensorsInput][] {
  return tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
}

function isTyped(v: unknown): v is TypedTensorData {
  return typeof v === 'object' && v !== null && ArrayBuffer.isView((v as TypedTensorData).data) && Array.isArray((v as TypedTensorData).shape);
}

/** Dtype and shape an input will be written with. */
export function describeInput(input: SafetensorsInput, name: string, label: string): { dtype: SafetensorsDType; shape: number[] } {
  if (input instanceof tf.Tensor) {
    if (input.isDisposed) throw new SafetensorsError(`${label}: tensor '${name}' is disposed; keep it alive until the file is written.`);
    const dtype = input.dtype === 'float32' ? 'F32' : input.dtype === 'int32' ? 'I32' : input.dtype === 'bool' ? 'BOOL' : undefined;
    if (!dtype) throw new SafetensorsError(`${label}: tensor '${name}' has tfjs dtype ${input.dtype}, which safetensors cannot hold; cast it to float32 or int32.`);
    return { dtype, shape: input.shape.slice() };
  }
  if (isRawTensor(input)) {
    wrap(label, () => checkRawTensor(input, name));
    return { dtype: input.dtype, shape: input.shape.slice() };
  }
  if (isTyped(input)) {
    const raw = wrap(label, () => rawFromTypedArray(input.data.subarray(0, 0) as RawTypedArray, [0], input.dtype, name));
    const n = input.shape.reduce((a, b) => a * b, 1);
    if (n !== input.data.length || !input.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new SafetensorsError(`${label}: tensor '${name}' has shape [${input.shape.join(', ')}] but ${input.data.length} elements.`);
    }
    return { dtype: raw.dtype, shape: input.shape.slice() };
  }
  throw new SafetensorsError(`${label}: tensor '${name}' is neither a tf.Tensor, a RawTensor {dtype, shape, bytes} nor {data: TypedArray, shape}.`);
}

/** The little-endian bytes an input will be written with. */
export function inputBytes(input: SafetensorsInput, name: string, label: string): Uint8Array {
  if (input instanceof tf.Tensor) return wrap(label, () => tensorToRaw(input, undefined, name).bytes);
  if (isRawTensor(input)) return input.bytes;
  return wrap(label, () => rawFromTypedArray(input.data, input.shape, input.dtype, name).bytes);
}

function wrap<T>(label: string, fn: () => T): T {
  try {
    return fn();
  } catch (cause) {
    if (cause instanceof SafetensorsError) throw cause;
    throw new SafetensorsError(`${label}: ${(cause as Error).message}`, { cause });
  }
}

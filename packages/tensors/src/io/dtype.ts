/**
 * Element types of safetensors files (and of the raw tensors read from `.pth` checkpoints).
 * `F16` and `BF16` are kept as raw 16-bit patterns; `BOOL` is one byte per element (0 or 1).
 */
export type SafetensorsDType =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U64'
  | 'U32'
  | 'U16'
  | 'U8'
  | 'BOOL';

/** Bytes per element of every supported dtype. */
export const DTYPE_ITEM_SIZE: Readonly<Record<SafetensorsDType, number>> = Object.freeze({
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
});

/** Every supported dtype name, in the order of {@link DTYPE_ITEM_SIZE}. */
export const SAFETENSORS_DTYPES: readonly SafetensorsDType[] = Object.freeze(
  Object.keys(DTYPE_ITEM_SIZE) as SafetensorsDType[],
);

/** Whether `name` is a dtype this library reads and writes. */
export function isSafetensorsDType(name: unknown): name is SafetensorsDType {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_ITEM_SIZE, name);
}

/** Bytes per element of `dtype`. */
export function dtypeItemSize(dtype: SafetensorsDType): number {
  return DTYPE_ITEM_SIZE[dtype];
}

/** Number of elements of a tensor of this shape (1 for a 0-d scalar). */
export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

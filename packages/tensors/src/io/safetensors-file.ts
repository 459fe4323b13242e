import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type * as tf from '@tensorflow/tfjs';
import { SafetensorsError } from './errors';
import {
  type SafetensorsHeader,
  type SafetensorsTensorInfo,
  parseSafetensorsHeader,
  readSafetensorsHeaderLength,
} from './safetensors-header';
import {
  type RawTensor,
  type RawTypedArray,
  rawToFloat32Array,
  rawToInt32Array,
  rawToTensorInternal,
  rawToTypedArray,
} from './raw-tensor';

/** Read exactly `length` bytes at `position` of an open file, or throw naming the file. */
export function readExactly(fd: number, length: number, position: number, label: string): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, out, done, length - done, position + done);
    if (n === 0) {
      throw new SafetensorsError(`${label}: unexpected end of file reading ${length} bytes at offset ${position}; the file is truncated or was changed while open.`);
    }
    done += n;
  }
  return out;
}

/**
 * A safetensors file opened for random access: `open` reads and validates only the header; each
 * `read*` call reads just that tensor's byte range with a positioned read (never the whole file).
 * Call {@link SafetensorsFile.close} when done.
 *
 * @example
 * ```ts
 * const file = SafetensorsFile.open('weights.safetensors');
 * try {
 *   const w = file.readTensor('head.weight'); // tf.Tensor (F16/BF16 -> float32, I64 -> int32)
 *   w.dispose();
 * } finally {
 *   file.close();
 * }
 * ```
 */
export class SafetensorsFile {
  /** The validated header. */
  readonly header: SafetensorsHeader;
  private fd: number | undefined;

  private constructor(
    /** Path the file was opened from (used in every error message). */
    readonly path: string,
    fd: number,
    header: SafetensorsHeader,
  ) {
    this.fd = fd;
    this.header = header;
  }

  /** Open `path`, read and validate its header. Throws {@link SafetensorsError} naming the file. */
  static open(path: string): SafetensorsFile {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (cause) {
      throw new SafetensorsError(`${path}: cannot open safetensors file (${(cause as Error).message}).`, { cause });
    }
    try {
      const size = fstatSync(fd).size;
      const first = size >= 8 ? readExactly(fd, 8, 0, path) : new Uint8Array(0);
      const n = readSafetensorsHeaderLength(first, size, path);
      const headerBytes = readExactly(fd, n, 8, path);
      const parsed = parseSafetensorsHeader(headerBytes, size - 8 - n, path);
      return new SafetensorsFile(path, fd, { ...parsed, dataStart: 8 + n });
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** The `__metadata__` string map (empty when the file has none). */
  get metadata(): Record<string, string> {
    return this.header.metadata;
  }

  /** Tensor names, in the order of their data in the file. */
  keys(): string[] {
    return [...this.header.tensors.keys()];
  }

  /** Whether the file holds a tensor called `name`. */
  has(name: string): boolean {
    return this.header.tensors.has(name);
  }

  /** Dtype, shape and data offsets of tensor `name`. */
  info(name: string): SafetensorsTensorInfo {
    const info = this.header.tensors.get(name);
    if (!info) {
      const keys = this.keys();
      const some = keys.slice(0, 8).map((k) => `'${k}'`).join(', ');
      throw new SafetensorsError(
        `${this.path}: no tensor '${name}' (the file has ${keys.length} tensors${keys.length ? `: ${some}${keys.length > 8 ? ', ...' : ''}` : ''}).`,
      );
    }
    return info;
  }

  /** Dtype, shape and the bytes of tensor `name` (a fresh, 8-byte-aligned buffer of exactly its size). */
  readRaw(name: string): RawTensor {
    const info = this.info(name);
    if (this.fd === undefined) throw new SafetensorsError(`${this.path}: the file is closed; open it again to read '${name}'.`);
    const [begin, end] = info.dataOffsets;
    const bytes = readExactly(this.fd, end - begin, this.header.dataStart + begin, this.path);
    return { dtype: info.dtype, shape: info.shape.slice(), bytes };
  }

  /**
   * Tensor `name` as a typed array of its dtype: `I64` -> `BigInt64Array`, `F16`/`BF16` ->
   * `Uint16Array` bit patterns, `BOOL` -> `Uint8Array` (see {@link rawToTypedArray}).
   */
  readArray(name: string): RawTypedArray {
    return rawToTypedArray(this.readRaw(name), name);
  }

  /** Tensor `name` of an integer or BOOL dtype as an `Int32Array` (values range-checked). */
  readInt32Array(name: string): Int32Array {
    return rawToInt32Array(this.readRaw(name), name);
  }

  /** Tensor `name` as float32 values (`F16`/`BF16` widened exactly). */
  readFloat32Array(name: string): Float32Array {
    return rawToFloat32Array(this.readRaw(name), name);
  }

  /**
   * Tensor `name` as a new tf.Tensor: floats -> `float32`, integers -> `int32` (64-bit values
   * range-checked), `BOOL` -> `bool`. The caller disposes it.
   */
  readTensor(name: string): tf.Tensor {
    return rawToTensorInternal(this.readRaw(name), name, true);
  }

  /** Close the file descriptor (idempotent). */
  close(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

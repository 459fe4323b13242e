import type * as tf from '@tensorflow/tfjs';
import { SafetensorsFile } from '@terramae/tensors';
import type { NumericArray, ReferenceTensor } from './compare';
import { ParityError } from './errors';

/**
 * Read access to one case file for handlers and the runner: names, dtypes, shapes, typed arrays
 * and tf.Tensors (which the caller disposes). Wraps `SafetensorsFile` from `@terramae/tensors`.
 */
export class FixtureReader {
  private constructor(
    /** Path of the `.safetensors` file. */
    readonly path: string,
    private readonly file: SafetensorsFile,
  ) {}

  /** Open a case file (only its header is read). */
  static open(path: string): FixtureReader {
    return new FixtureReader(path, SafetensorsFile.open(path));
  }

  /** The file's `__metadata__`. */
  get metadata(): Record<string, string> {
    return this.file.metadata;
  }

  /** Every tensor name, or those starting with `prefix`, in file order. */
  names(prefix = ''): string[] {
    return this.file.keys().filter((k) => k.startsWith(prefix));
  }

  /** Whether the file holds `name`. */
  has(name: string): boolean {
    return this.file.has(name);
  }

  /** Dtype (safetensors name) and shape of `name`. */
  info(name: string): { dtype: string; shape: number[] } {
    const i = this.file.info(name);
    return { dtype: i.dtype, shape: i.shape.slice() };
  }

  /** Shape of `name`. */
  shape(name: string): number[] {
    return this.info(name).shape;
  }

  /** The reference tensor `name` for comparison (F16/BF16 widened to float32, I64 kept as BigInt64Array). */
  reference(name: string): ReferenceTensor {
    const { dtype, shape } = this.info(name);
    const data: NumericArray = dtype === 'F16' || dtype === 'BF16' ? this.file.readFloat32Array(name) : (this.file.readArray(name) as NumericArray);
    return { dtype, shape, data };
  }

  /** Float values of `name` (integers converted). */
  float32(name: string): Float32Array {
    return this.file.readFloat32Array(name);
  }

  /** Values of `name` as plain numbers (I64 via `Number()`, range-checked). */
  numbers(name: string): number[] {
    const { dtype } = this.info(name);
    if (dtype === 'F32' || dtype === 'F64' || dtype === 'F16' || dtype === 'BF16') return Array.from(this.file.readFloat32Array(name));
    return Array.from(this.file.readInt32Array(name));
  }

  /** `name` as a new tf.Tensor (floats → float32, integers → int32, BOOL → bool); the caller disposes it. */
  tensor(name: string): tf.Tensor {
    return this.file.readTensor(name);
  }

  /** Like {@link tensor} but throws a {@link ParityError} naming the case file when `name` is missing. */
  require(name: string): tf.Tensor {
    if (!this.has(name)) throw new ParityError(`${this.path}: the case needs tensor "${name}", which the file does not hold`);
    return this.tensor(name);
  }

  /** Close the file. */
  close(): void {
    this.file.close();
  }
}

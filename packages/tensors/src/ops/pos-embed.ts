import * as tf from '@tensorflow/tfjs';
import { OpArgumentError } from './errors';

/**
 * Fixed 2-D sin-cos positional embedding in MAE's convention (facebookresearch/mae
 * `util/pos_embed.py`): for the token at grid row `i`, column `j`, the first `D/2` dims encode the
 * column (x = j) and the second half the row (y = i); each half is `[sin(pos·ω), cos(pos·ω)]` with
 * `ω_k = 10000^(−k/(D/4))`. Computed in float64, returned as float32 like the reference.
 *
 * @returns `[(classToken ? 1 : 0) + gridH·gridW, dim]` values, row-major; the class-token row is 0.
 */
export function posEmbed2dSinCosValues(dim: number, gridH: number, gridW: number = gridH, classToken = false): Float32Array {
  if (!(Number.isInteger(dim) && dim > 0 && dim % 4 === 0)) throw new OpArgumentError(`posEmbed2dSinCos: dim must be a positive multiple of 4, got ${dim}`);
  const quarter = dim / 4;
  const omega = Float64Array.from({ length: quarter }, (_, k) => 1 / 10000 ** (k / quarter));
  const offset = classToken ? 1 : 0;
  const out = new Float32Array((offset + gridH * gridW) * dim);
  for (let i = 0; i < gridH; i++) {
    for (let j = 0; j < gridW; j++) {
      const row = (offset + i * gridW + j) * dim;
      for (let k = 0; k < quarter; k++) {
        const ax = j * (omega[k] as number);
        const ay = i * (omega[k] as number);
        out[row + k] = Math.sin(ax);
        out[row + quarter + k] = Math.cos(ax);
        out[row + 2 * quarter + k] = Math.sin(ay);
        out[row + 3 * quarter + k] = Math.cos(ay);
      }
    }
  }
  return out;
}

/** {@link posEmbed2dSinCosValues} as a `[L, dim]` tensor. */
export function posEmbed2dSinCos(dim: number, gridH: number, gridW: number = gridH, classToken = false): tf.Tensor2D {
  const rows = (classToken ? 1 : 0) + gridH * gridW;
  return tf.tensor2d(posEmbed2dSinCosValues(dim, gridH, gridW, classToken), [rows, dim]);
}

/**
 * 1-D sin-cos embedding of arbitrary (possibly fractional) positions, MAE's
 * `get_1d_sincos_pos_embed_from_grid`: `[sin(pos·ω), cos(pos·ω)]` with `ω_k = 10000^(−k/(D/2))`,
 * computed in float64 and returned as float32 `[positions.length, dim]` values.
 */
export function posEmbed1dSinCosValues(dim: number, positions: ArrayLike<number>): Float32Array {
  if (dim % 2 !== 0) throw new RangeError(`posEmbed1dSinCos: dim must be even, got ${dim}`);
  const half = dim / 2;
  const out = new Float32Array(positions.length * dim);
  for (let i = 0; i < positions.length; i++) {
    for (let k = 0; k < half; k++) {
      const a = (positions[i] as number) / 10000 ** (k / half);
      out[i * dim + k] = Math.sin(a);
      out[i * dim + half + k] = Math.cos(a);
    }
  }
  return out;
}

/** {@link posEmbed1dSinCosValues} as a `[N, dim]` tensor. */
export function posEmbed1dSinCos(dim: number, positions: ArrayLike<number>): tf.Tensor2D {
  return tf.tensor2d(posEmbed1dSinCosValues(dim, positions), [positions.length, dim]);
}

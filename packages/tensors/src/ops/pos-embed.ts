import * as tf from '@tensorflow/tfjs';

/**
 * Fixed 2-D sin-cos positional embedding in MAE's convention (facebookresearch/mae
 * `util/pos_embed.py`): for the token at grid row `i`, column `j`, the first `D/2` dims encode the
 * column (x = j) and the second half the row (y = i); each half is `[sin(pos·ω), cos(pos·ω)]` with
 * `ω_k = 10000^(−k/(D/4))`. Computed in float64, returned as float32 like the reference.
 *
 * @returns `[(classToken ? 1 : 0) + gridH·gridW, dim]` values, row-major; the class-token row is 0.
 */
export function posEmbed2dSinCosValues(dim: number, gridH: number, gridW: number = gridH, classToken = false): Float32Array {
  if (dim % 4 !== 0) throw new RangeError(`posEmbed2dSinCos: dim must be a multiple of 4, got ${dim}`);
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

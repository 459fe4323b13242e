import * as tf from '@tensorflow/tfjs';
import { defineCustomGrad } from './custom-grad';
import { OpArgumentError } from './errors';

/**
 * Pick tokens per sample: `out[b, i, :] = x[b, ids[b, i], :]` (PyTorch
 * `torch.gather(x, 1, ids[..., None].expand(-1, -1, D))`). The gradient scatters back with
 * `scatterND` (duplicates add up), so it works on wasm, which lacks UnsortedSegmentSum.
 *
 * @param x `[B, L, D]` (or `[B, L]`, treated as D = 1 and returned as `[B, K]`).
 * @param ids `[B, K]` int32 indices into L.
 */
export function gatherTokens<T extends tf.Tensor2D | tf.Tensor3D>(x: T, ids: tf.Tensor2D): T {
  if (x.rank !== 2 && x.rank !== 3) throw new OpArgumentError(`gatherTokens: x must be [B, L, D] or [B, L], got [${x.shape}]`);
  if (ids.rank !== 2) throw new OpArgumentError(`gatherTokens: ids must be [B, K], got [${ids.shape}]`);
  const twoD = x.rank === 2;
  const [b, l] = x.shape;
  const d = twoD ? 1 : (x.shape[2] as number);
  const [ib, k] = ids.shape;
  if (ib !== b) throw new OpArgumentError(`gatherTokens: batch of x is ${b}, of ids ${ib}`);
  return tf.tidy(() => {
    const offsets = tf.range(0, b * l, l, 'int32').reshape([b, 1]);
    const flatIds = (ids.dtype === 'int32' ? ids : ids.toInt()).add(offsets).reshape([b * k]) as tf.Tensor1D;
    const flatX = x.reshape([b * l, d]) as tf.Tensor2D;
    const out = gatherRows(flatX, flatIds);
    return (twoD ? out.reshape([b, k]) : out.reshape([b, k, d])) as T;
  });
}

/**
 * `x[ids]` along axis 0 of a 2-D tensor, with a scatter gradient (`scatterND`; rows picked more
 * than once receive the sum of their gradients).
 *
 * @param x `[R, D]`.
 * @param ids `[K]` indices into R (int32; other dtypes are cast).
 * @returns `[K, D]`.
 */
export function gatherRows(x: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  if (x.rank !== 2) throw new OpArgumentError(`gatherRows: x must be [R, D], got [${x.shape}]`);
  if (ids.rank !== 1) throw new OpArgumentError(`gatherRows: ids must be [K], got [${ids.shape}]`);
  if (ids.dtype === 'int32') return gatherRowsOp(x, ids);
  return tf.tidy(() => gatherRowsOp(x, ids.toInt()));
}

const gatherRowsOp = defineCustomGrad<[tf.Tensor2D, tf.Tensor1D], tf.Tensor2D>((xs, idx, save) => {
  save([idx]);
  const rows = xs.shape[0];
  const value = tf.gather(xs, idx, 0);
  const gradFunc = (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
    const [savedIdx] = saved as [tf.Tensor1D];
    const dx = tf.scatterND(savedIdx.reshape([-1, 1]), dy, [rows, dy.shape[1]]);
    return [dx, tf.zerosLike(savedIdx)];
  };
  return { value, gradFunc };
});

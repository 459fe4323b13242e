import * as tf from '@tensorflow/tfjs';

/**
 * Normalise patchified values by each patch's own statistics, MAE's `norm_pix_loss`:
 * `(x − mean) / √(var + eps)` over the last axis, with the **unbiased** variance (n − 1).
 *
 * @param patches `[N, L, P]` patchified target (`patchify` order).
 * @param others more `[N, L, P]` tensors normalised with the statistics of `patches` (NeighborMAE
 *   applies the target's statistics to the warped neighbour).
 * @returns the normalised `patches` followed by the normalised `others`.
 */
export function normalizeByPatchStats(patches: tf.Tensor3D, others: readonly tf.Tensor3D[] = [], eps = 1e-6): tf.Tensor3D[] {
  const n = patches.shape[2];
  if (n < 2) throw new RangeError(`normalizeByPatchStats: a patch needs at least 2 values for an unbiased variance, got ${n}`);
  for (const o of others) {
    if (o.shape.some((d, i) => d !== patches.shape[i])) {
      throw new RangeError(`normalizeByPatchStats: [${o.shape.join(', ')}] does not match the target patches [${patches.shape.join(', ')}]`);
    }
  }
  return tf.tidy(() => {
    const mean = patches.mean(2, true);
    const variance = patches.sub(mean).square().sum(2, true).div(n - 1);
    const std = variance.add(eps).sqrt();
    return [patches, ...others].map((x) => x.sub(mean).div(std) as tf.Tensor3D);
  });
}

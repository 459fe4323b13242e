import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@terramae/tensors';

/**
 * Stochastic depth (timm's `DropPath`, `scale_by_keep=True`): each sample's residual branch is
 * kept with probability `1 − rate` and then divided by `1 − rate`, or zeroed. The keep decisions
 * are drawn from `rng` in plain JavaScript (never from a tensor), one per sample along axis 0.
 * Returns `x` itself when `rate` is 0.
 */
export function dropPath(x: tf.Tensor, rate: number, rng: Rng): tf.Tensor {
  if (rate <= 0) return x;
  const n = x.shape[0] as number;
  const keep = 1 - rate;
  const scale = new Float32Array(n);
  for (let i = 0; i < n; i++) scale[i] = rng.uniform() < keep ? (keep > 0 ? 1 / keep : 1) : 0;
  return tf.tidy(() => x.mul(tf.tensor(scale, [n, ...new Array<number>(x.rank - 1).fill(1)])));
}

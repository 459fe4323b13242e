import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@terramae/tensors';

/**
 * Stochastic depth (timm `drop_path`): each sample's residual branch is dropped with probability
 * `rate`, survivors are scaled by `1 / (1 − rate)`. The per-sample draws come from `rng` on the
 * host, so a seed reproduces them on every backend. Identity when `rate` is 0.
 *
 * @param x `[B, ...]` the residual branch; the first axis is the sample axis.
 */
export function dropPath<T extends tf.Tensor>(x: T, rate: number, rng: Rng): T {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropPath: rate must be in [0, 1), got ${rate}`);
  if (rate === 0) return x;
  const keep = 1 - rate;
  const samples = x.shape[0] as number;
  const scale = new Float32Array(samples);
  for (let i = 0; i < samples; i++) scale[i] = rng.uniform() < keep ? 1 / keep : 0;
  return tf.tidy(() => x.mul(tf.tensor(scale, [samples, ...x.shape.slice(1).map(() => 1)])));
}

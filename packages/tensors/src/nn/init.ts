import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng';
import { ModuleError } from './errors';

/**
 * Truncated normal init as timm's `trunc_normal_(std, a, b)`: `N(mean, std²)` redrawn outside the
 * absolute bounds `[a, b]` (timm's defaults are −2 and 2, in value units, not in stds).
 */
export function truncNormal(shape: number[], rng: Rng, std = 0.02, mean = 0, a = -2, b = 2): tf.Tensor {
  if (!(std > 0) || !(a < b)) throw new ModuleError(`truncNormal: needs std > 0 and a < b, got std ${std}, [${a}, ${b}]`);
  if (a > mean + 6 * std || b < mean - 6 * std) {
    throw new ModuleError(`truncNormal: the interval [${a}, ${b}] lies more than 6 std from the mean ${mean} (std ${std}); rejection sampling would not terminate`);
  }
  const size = shape.reduce((p, d) => p * d, 1);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    let v: number;
    do v = mean + std * rng.normal();
    while (v < a || v > b);
    out[i] = v;
  }
  return tf.tensor(out, shape);
}

/** `N(mean, std²)` init. */
export function normalInit(shape: number[], rng: Rng, std = 1, mean = 0): tf.Tensor {
  return tf.tensor(rng.normalArray(shape.reduce((p, d) => p * d, 1), mean, std), shape);
}

/**
 * Xavier (Glorot) uniform init, `U(−a, a)` with `a = √(6 / (fanIn + fanOut))`. Pass the fans of the
 * PyTorch weight (for MAE's qkv, one `[3D, D]` matrix: fanIn D, fanOut 3D).
 */
export function xavierUniform(shape: number[], rng: Rng, fanIn: number, fanOut: number): tf.Tensor {
  const bound = Math.sqrt(6 / (fanIn + fanOut));
  const size = shape.reduce((p, d) => p * d, 1);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (rng.uniform() * 2 - 1) * bound;
  return tf.tensor(out, shape);
}

/** All zeros. */
export function zerosInit(shape: number[]): tf.Tensor {
  return tf.zeros(shape);
}

/** All ones. */
export function onesInit(shape: number[]): tf.Tensor {
  return tf.ones(shape);
}

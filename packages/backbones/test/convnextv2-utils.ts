// Shared helpers of the ConvNeXt V2 tests (not published).
import * as tf from '@tensorflow/tfjs';
import { Rng, type Module } from '@terramae/tensors';

/** A seeded normal tensor. */
export function randn(shape: number[], seed: number, std = 1): tf.Tensor {
  return tf.tensor(new Rng(seed).normalArray(shape.reduce((a, b) => a * b, 1), 0, std), shape);
}

/**
 * Overwrite every parameter with seeded values that make every part matter (as the parity
 * fixtures do): weights ~ N(0, 1/fan_in), biases ~ N(0, 0.1²), norms ~ 1 + N(0, 0.1²), GRN ~ N(0, 0.5²).
 */
export function perturb(module: Module, seed: number): void {
  const rng = new Rng(seed);
  const dict: Record<string, tf.Tensor> = {};
  for (const p of module.namedParameters()) {
    const shape = p.variable.shape;
    const n = p.variable.size;
    let values: Float32Array;
    if (p.name.endsWith('grn.gamma') || p.name.endsWith('grn.beta')) values = rng.normalArray(n, 0, 0.5);
    else if (p.name.endsWith('.bias')) values = rng.normalArray(n, 0, 0.1);
    else if (shape.length === 1) values = rng.normalArray(n, 1, 0.1);
    else {
      const fanIn = p.torchLayout === 'depthwise' ? shape[0]! * shape[1]! : shape.slice(0, -1).reduce((a, b) => a * b, 1);
      values = rng.normalArray(n, 0, 1 / Math.sqrt(fanIn));
    }
    dict[p.name] = tf.tensor(values, shape);
  }
  module.loadStateDict(dict);
  Object.values(dict).forEach((t) => t.dispose());
}

/** Max |a − b| (treating −0 and +0 alike). */
export async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [x, y] = await Promise.all([a.data(), b.data()]);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs((x[i] as number) - (y[i] as number)));
  return x.length === y.length ? m : Number.POSITIVE_INFINITY;
}

/** Max |a| . */
export async function maxAbs(a: tf.Tensor): Promise<number> {
  const x = await a.data();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] as number));
  return m;
}

/** A `[B, L]` random mask with `hidden` hidden cells per row (1 = hidden). */
export function randomMask(batch: number, cells: number, hidden: number, seed: number): tf.Tensor2D {
  const rng = new Rng(seed);
  const data = new Float32Array(batch * cells);
  for (let b = 0; b < batch; b++) for (const i of rng.permutation(cells).slice(0, hidden)) data[b * cells + i] = 1;
  return tf.tensor2d(data, [batch, cells]);
}

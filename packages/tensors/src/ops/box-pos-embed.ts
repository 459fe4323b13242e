import * as tf from '@tensorflow/tfjs';
import { OpArgumentError } from './errors';

/**
 * NeighborMAE's per-pair box normalisation (`trainer.preprocess_data`): the union of a sample's
 * view boxes maps to `[0, scale]²`, x and y scaled independently.
 *
 * @param boxes `[B, V, 4]` as `[left, top, right, bottom]`, y up.
 * @param scale side of the normalised frame (32 in NeighborMAE).
 */
export function normalizeBoxesToUnion(boxes: tf.Tensor3D, scale = 32): tf.Tensor3D {
  if (boxes.rank !== 3 || boxes.shape[2] !== 4) {
    throw new OpArgumentError(`normalizeBoxesToUnion: boxes must be [B, V, 4] (left, top, right, bottom), got [${boxes.shape}]`);
  }
  return tf.tidy(() => {
    const [l, t, r, b] = tf.unstack(boxes, 2) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const minL = l.min(1, true);
    const maxR = r.max(1, true);
    const minB = b.min(1, true);
    const maxT = t.max(1, true);
    const sx = maxR.sub(minL).reciprocal().mul(scale);
    const sy = maxT.sub(minB).reciprocal().mul(scale);
    return tf.stack([l.sub(minL).mul(sx), t.sub(minB).mul(sy), r.sub(minL).mul(sx), b.sub(minB).mul(sy)], 2) as tf.Tensor3D;
  });
}

/**
 * NeighborMAE's footprint-box positional embedding. Each view's box is split into a
 * `gridH × gridW` lattice (edges linearly interpolated, row-major patches, row 0 at the top); each
 * patch box `(left, top, right, bottom)` gives 4 scalars, each encoded by `D/4` dims
 * `[sin(c·ω), cos(c·ω)]` with `n = D/8` frequencies `ω_k = 10000^(−k/(n−1))` (inclusive linspace).
 * Block order along D: left, top, right, bottom.
 *
 * @param boxes `[N, 4]` boxes (already normalised, see {@link normalizeBoxesToUnion}).
 * @returns `[N, gridH·gridW, dim]`.
 */
export function boxPosEmbed(boxes: tf.Tensor2D, dim: number, gridH: number, gridW: number = gridH): tf.Tensor3D {
  if (!(Number.isInteger(dim) && dim > 0 && dim % 8 === 0)) throw new OpArgumentError(`boxPosEmbed: dim must be a positive multiple of 8, got ${dim}`);
  if (boxes.rank !== 2 || boxes.shape[1] !== 4) throw new OpArgumentError(`boxPosEmbed: boxes must be [N, 4] (left, top, right, bottom), got [${boxes.shape}]`);
  if (!(Number.isInteger(gridH) && gridH > 0 && Number.isInteger(gridW) && gridW > 0)) throw new OpArgumentError(`boxPosEmbed: grid must be positive integers, got ${gridH}×${gridW}`);
  const n = dim / 8;
  const omega = Float32Array.from({ length: n }, (_, k) => (n === 1 ? 1 : 1 / 10000 ** (k / (n - 1))));
  return tf.tidy(() => {
    const count = boxes.shape[0];
    const [l, t, r, b] = tf.unstack(boxes, 1) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    // Box edges interpolated as PyTorch's linear interpolation with align_corners: (1−f)·a + f·b.
    const edges = (a: tf.Tensor1D, z: tf.Tensor1D, cells: number) => {
      const f = Float32Array.from({ length: cells + 1 }, (_, i) => i / cells);
      const g = f.map((v) => 1 - v);
      return a.reshape([count, 1]).mul(tf.tensor2d(g, [1, cells + 1])).add(z.reshape([count, 1]).mul(tf.tensor2d(f, [1, cells + 1])));
    };
    const xs = edges(l, r, gridW); // [N, gw+1]
    const ys = edges(t, b, gridH); // [N, gh+1]
    const left = xs.slice([0, 0], [count, gridW]).reshape([count, 1, gridW]).tile([1, gridH, 1]);
    const right = xs.slice([0, 1], [count, gridW]).reshape([count, 1, gridW]).tile([1, gridH, 1]);
    const top = ys.slice([0, 0], [count, gridH]).reshape([count, gridH, 1]).tile([1, 1, gridW]);
    const bottom = ys.slice([0, 1], [count, gridH]).reshape([count, gridH, 1]).tile([1, 1, gridW]);
    const w = tf.tensor1d(omega);
    const encode = (c: tf.Tensor) => {
      const a = c.reshape([count, gridH * gridW, 1]).mul(w);
      return tf.concat([a.sin(), a.cos()], 2);
    };
    return tf.concat([encode(left), encode(top), encode(right), encode(bottom)], 2) as tf.Tensor3D;
  });
}

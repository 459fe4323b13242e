import * as tf from '@tensorflow/tfjs';
import { OpArgumentError } from './errors';

/** Interpolation of {@link resampleAxisAligned}. */
export type ResampleMode = 'bilinear' | 'nearest';

/**
 * Axis-aligned resampling (scale + translate per sample), equal to PyTorch
 * `grid_sample(align_corners=False, padding_mode='zeros')` on a grid that is affine in each axis.
 * Output pixel centres in normalised coordinates are `u = −1 + (2i + 1)/W_out`; the sampled source
 * coordinate is `u·scale + offset`, read at pixel `((u' + 1)·W_src − 1)/2`. Taps outside the
 * source are zero. Bilinear is separable (`R_y · X · R_xᵀ`), so it is a pair of batched matrix
 * products, differentiable with respect to the image on every backend; nearest rounds half to
 * even, like `grid_sample`.
 *
 * @param x `[N, H, W, C]` source images.
 * @param scale `[N, 2]` (x, y) scale of the normalised coordinates.
 * @param offset `[N, 2]` (x, y) offset of the normalised coordinates.
 * @param outSize output `[H, W]` (default: the input size).
 */
export function resampleAxisAligned(
  x: tf.Tensor4D,
  scale: tf.Tensor2D,
  offset: tf.Tensor2D,
  mode: ResampleMode = 'bilinear',
  outSize?: readonly [number, number],
): tf.Tensor4D {
  if (x.rank !== 4) throw new OpArgumentError(`resampleAxisAligned: input must be NHWC (rank 4), got shape [${x.shape}]`);
  const [n, h, w, c] = x.shape;
  for (const [name, t] of [['scale', scale], ['offset', offset]] as const) {
    if (t.rank !== 2 || t.shape[0] !== n || t.shape[1] !== 2) throw new OpArgumentError(`resampleAxisAligned: ${name} must be [${n}, 2] (x, y), got [${t.shape}]`);
  }
  if (mode !== 'bilinear' && mode !== 'nearest') throw new OpArgumentError(`resampleAxisAligned: mode must be 'bilinear' or 'nearest', got '${String(mode)}'`);
  const [oh, ow] = outSize ?? [h, w];
  if (!(Number.isInteger(oh) && oh > 0 && Number.isInteger(ow) && ow > 0)) throw new OpArgumentError(`resampleAxisAligned: outSize must be two positive integers, got [${outSize}]`);
  return tf.tidy(() => {
    const [sx, sy] = tf.unstack(scale, 1) as [tf.Tensor1D, tf.Tensor1D];
    const [tx, ty] = tf.unstack(offset, 1) as [tf.Tensor1D, tf.Tensor1D];
    const ry = interpolationMatrix(sy, ty, oh, h, mode); // [N, oh, h]
    const rx = interpolationMatrix(sx, tx, ow, w, mode); // [N, ow, w]
    const rows = tf.matMul(ry, x.reshape([n, h, w * c])); // [N, oh, w*c]
    const cols = rows.reshape([n, oh, w, c]).transpose([0, 2, 1, 3]).reshape([n, w, oh * c]);
    const out = tf.matMul(rx, cols); // [N, ow, oh*c]
    return out.reshape([n, ow, oh, c]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
  });
}

/** `[N, outLen, srcLen]` weights sampling a source axis of `srcLen` pixels at `outLen` positions. */
export function interpolationMatrix(scale: tf.Tensor1D, offset: tf.Tensor1D, outLen: number, srcLen: number, mode: ResampleMode): tf.Tensor3D {
  return tf.tidy(() => {
    const n = scale.shape[0];
    const u = tf.range(0, outLen).mul(2).add(1).div(outLen).sub(1).reshape([1, outLen]);
    const src = u.mul(scale.reshape([n, 1])).add(offset.reshape([n, 1]));
    const pix = src.add(1).mul(srcLen).sub(1).div(2).reshape([n, outLen, 1]); // source pixel coordinate
    const grid = tf.range(0, srcLen).reshape([1, 1, srcLen]);
    if (mode === 'nearest') {
      return tf.equal(pix.round(), grid).toFloat() as tf.Tensor3D;
    }
    const lo = pix.floor();
    const frac = pix.sub(lo);
    const wLo = tf.equal(lo, grid).toFloat().mul(tf.scalar(1).sub(frac));
    const wHi = tf.equal(lo.add(1), grid).toFloat().mul(frac);
    return wLo.add(wHi) as tf.Tensor3D;
  });
}

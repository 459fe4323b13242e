import * as tf from '@tensorflow/tfjs';
import { resampleAxisAligned } from '@terramae/tensors';
import { NeighborTaskError } from './errors';

/** The other view of every pair warped into each view's frame. */
export interface CrossProjection {
  /** `[B·2, H, W, C]`: view `o` of the pair resampled (bilinear, zero outside) into view `k`'s frame. */
  readonly image: tf.Tensor4D;
  /** `[B·2, H, W, 1]`: view `o`'s visibility resampled (nearest, 0 outside), as 0/1 floats. */
  readonly visible: tf.Tensor4D;
}

/**
 * Scale and offset (in `grid_sample`'s normalised coordinates, x then y) that sample view `o` of a
 * pair at the pixel centres of view `k`, from the pair's footprint boxes (specs/neighbormae.md
 * §3b.2): `scale = s_k / s_o`, `offset = 2 (c_k − c_o) / s_o`, with the y offset negated because
 * image rows run down while boxes have y up.
 *
 * @param boxes `[B, 2, 4]` boxes `(left, top, right, bottom)`, y up, in any frame shared by the pair
 *   (NeighborMAE passes the union-normalised boxes).
 * @returns `[B·2, 2]` scale and offset, view-major inside a sample.
 */
export function crossProjectionTransform(boxes: tf.Tensor3D): { scale: tf.Tensor2D; offset: tf.Tensor2D } {
  const [b, v, four] = boxes.shape;
  if (v !== 2 || four !== 4) {
    throw new NeighborTaskError(`cross projection needs boxes of shape [B, 2, 4] (pairs of views), got [${boxes.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    const [l, t, r, bt] = tf.unstack(boxes, 2) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const center = tf.stack([l.add(r).mul(0.5), t.add(bt).mul(0.5)], 2); // [B, 2, 2] (x, y)
    const size = tf.stack([r.sub(l).abs(), bt.sub(t).abs()], 2); // [B, 2, 2]
    const otherCenter = tf.reverse(center, 1);
    const otherSize = tf.reverse(size, 1);
    const shift = center.sub(otherCenter).mul(tf.scalar(2).div(otherSize));
    const flipY = tf.tensor1d([1, -1]);
    const offset = shift.mul(flipY).reshape([b * 2, 2]) as tf.Tensor2D;
    const scale = size.div(otherSize).reshape([b * 2, 2]) as tf.Tensor2D;
    return { scale, offset };
  });
}

/**
 * Warp the other view of each pair into this view's frame (NeighborMAE `proj`): the image with
 * bilinear sampling and zero padding, the visibility map with nearest sampling (0 outside the other
 * footprint), both as `grid_sample(align_corners=False)` does. Works on the raw image; normalise
 * afterwards with the target's statistics.
 *
 * @param images `[B·2, H, W, C]`, view-major inside a sample.
 * @param visible `[B·2, H, W, 1]`, 1 where the encoder saw the pixel's patch.
 * @param boxes `[B, 2, 4]` footprint boxes in a frame shared by each pair.
 */
export function crossProject(images: tf.Tensor4D, visible: tf.Tensor4D, boxes: tf.Tensor3D): CrossProjection {
  const [n, h, w] = images.shape;
  const pairs = boxes.shape[0];
  if (n !== pairs * 2) {
    throw new NeighborTaskError(`cross projection: ${n} images for ${pairs} box pairs; expected 2 views per sample (images [B·2, H, W, C], boxes [B, 2, 4])`);
  }
  if (visible.shape[0] !== n || visible.shape[1] !== h || visible.shape[2] !== w) {
    throw new NeighborTaskError(`cross projection: visibility map [${visible.shape.join(', ')}] does not match images [${images.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    const { scale, offset } = crossProjectionTransform(boxes);
    const swap = <T extends tf.Tensor4D>(x: T): T => {
      const [, hh, ww, cc] = x.shape;
      return tf.reverse(x.reshape([pairs, 2, hh, ww, cc]), 1).reshape([n, hh, ww, cc]) as T;
    };
    const image = resampleAxisAligned(swap(images), scale, offset, 'bilinear', [h, w]);
    const warpedVis = resampleAxisAligned(swap(visible.toFloat() as tf.Tensor4D), scale, offset, 'nearest', [h, w]);
    return { image, visible: tf.greater(warpedVis, 0.5).toFloat() as tf.Tensor4D };
  });
}


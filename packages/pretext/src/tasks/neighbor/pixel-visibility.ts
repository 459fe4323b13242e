import * as tf from '@tensorflow/tfjs';
import { unpatchify } from '@terramae/tensors';

/**
 * Per-pixel visibility from a patch mask: `[N, L]` with 1 = hidden becomes `[N, H, W, 1]` with
 * 1 where the pixel's patch was visible to the encoder (each patch value repeated over its
 * `p × p` pixels, as NeighborMAE's `visible_mask`).
 */
export function visiblePixels(mask: tf.Tensor2D, grid: readonly [number, number], patchSize: number): tf.Tensor4D {
  const [n, l] = mask.shape;
  if (l !== grid[0] * grid[1]) throw new RangeError(`visiblePixels: mask has ${l} patches, grid ${grid[0]}×${grid[1]} has ${grid[0] * grid[1]}`);
  return tf.tidy(() => {
    const perPatch = tf.scalar(1).sub(mask.toFloat()).reshape([n, l, 1]).tile([1, 1, patchSize * patchSize]) as tf.Tensor3D;
    return unpatchify(perPatch, patchSize, grid, 1);
  });
}

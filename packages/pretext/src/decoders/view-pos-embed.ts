import * as tf from '@tensorflow/tfjs';
import { boxPosEmbed } from '@terramae/tensors';

/**
 * NeighborMAE's per-view position embedding at one width (`make_pos_embed`): the sin-cos of every
 * patch's footprint box plus the learnable row `imgEmbed[v]` of the view.
 *
 * @param boxes `[B, V, 4]` footprint boxes already normalised to each sample's frame.
 * @param imgEmbed `[1, V', D]` with `V' ≥ V`.
 * @returns `[B·V, h·w, D]`, view-major inside a sample, patches row-major.
 */
export function viewPositionEmbedding(boxes: tf.Tensor3D, imgEmbed: tf.Tensor, grid: readonly [number, number]): tf.Tensor3D {
  const [b, v] = boxes.shape;
  const d = imgEmbed.shape[2] as number;
  const l = grid[0] * grid[1];
  return tf.tidy(() => {
    const sincos = boxPosEmbed(boxes.reshape([b * v, 4]) as tf.Tensor2D, d, grid[0], grid[1]).reshape([b, v, l, d]);
    const perView = imgEmbed.slice([0, 0, 0], [1, v, d]).reshape([1, v, 1, d]);
    return sincos.add(perView).reshape([b * v, l, d]) as tf.Tensor3D;
  });
}

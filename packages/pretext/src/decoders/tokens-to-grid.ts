import * as tf from '@tensorflow/tfjs';
import { gatherTokens, type EncoderOutput } from '@terramae/tensors';

/**
 * Put a token encoder's kept tokens back on the patch grid: `[N, h, w, D]` with each kept token at
 * its patch and zeros at hidden patches (the decoder then fills them with its mask token), so the
 * grid decoders and pixel/image heads work on ViT encoders too.
 *
 * Kept slot `j` of image `n` holds patch `idsShuffle[n, j]`; a patch whose shuffle rank is below
 * the image's keep count gets the token of that slot, every other patch (hidden, or a slot disabled
 * by `keyMask`) gets zero. A class token (first, when `hasClassToken`) is dropped. A joint
 * multi-view output (`joint`, `[B, 1 + V·K, D]`, views concatenated) is split into `[B·V, K, D]`
 * first. Differentiable with respect to the tokens on every backend (gather with scatter gradient).
 *
 * @param encoded a `tokens` encoder output.
 * @param idsRestore `[N, L]` int32 shuffle ranks of each patch.
 * @param mask `[N, L]` 1 = hidden (patches at rank ≥ their image's keep count).
 * @param grid `[h, w]` with `h·w = L`.
 */
export function tokensToGrid(encoded: EncoderOutput, idsRestore: tf.Tensor2D, mask: tf.Tensor2D, grid: readonly [number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    let x = encoded.features as tf.Tensor3D;
    if (encoded.hasClassToken) x = x.slice([0, 1, 0], [-1, -1, -1]);
    const [n, l] = idsRestore.shape;
    if (encoded.joint) {
      const [b, vk, d] = x.shape;
      const v = n / b;
      x = x.reshape([b * v, vk / v, d]);
    }
    const [nx, k, d] = x.shape;
    if (nx !== n) throw new RangeError(`tokensToGrid: ${nx} token rows for a mask of ${n} images`);
    if (l !== grid[0] * grid[1]) throw new RangeError(`tokensToGrid: mask has ${l} patches, grid ${grid[0]}×${grid[1]}`);
    // Append one zero token per image at slot k; hidden patches read it.
    const padded = tf.concat([x, tf.zeros([n, 1, d])], 1) as tf.Tensor3D;
    const ranks = idsRestore.toInt();
    const visible = tf.logicalAnd(tf.less(ranks, k), tf.equal(mask, 0));
    const ids = tf.where(visible, ranks, tf.fill([n, l], k, 'int32')) as tf.Tensor2D;
    return gatherTokens(padded, ids).reshape([n, grid[0], grid[1], d]) as tf.Tensor4D;
  });
}

import * as tf from '@tensorflow/tfjs';

/**
 * Multi-head scaled dot-product attention, `softmax(q·kᵀ · scale + bias) · v`, on heads folded into
 * the batch axis so that both products are single batched matMuls.
 *
 * @param q `[B·H, N, hd]` queries.
 * @param k `[B·H, M, hd]` keys.
 * @param v `[B·H, M, hd]` values.
 * @param heads H, needed to apply a per-sample `bias`.
 * @param bias additive logit bias broadcastable to `[B, H, N, M]`, e.g. `[B, 1, 1, M]` from
 *   {@link keyPaddingBias}.
 * @param scale multiplies the logits; default `hd^-0.5` (applied after the product, as timm and
 *   PyTorch's reference `scaled_dot_product_attention`).
 * @returns `[B·H, N, hd]`.
 */
export function scaledDotProductAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  heads: number,
  bias?: tf.Tensor,
  scale?: number,
): tf.Tensor3D {
  const [bh, n, hd] = q.shape;
  const m = k.shape[1];
  if (bh % heads !== 0) throw new RangeError(`scaledDotProductAttention: batch·heads ${bh} is not a multiple of heads ${heads}`);
  return tf.tidy(() => {
    let logits = tf.matMul(q, k, false, true).mul(scale ?? hd ** -0.5) as tf.Tensor3D;
    if (bias) logits = logits.reshape([bh / heads, heads, n, m]).add(bias).reshape([bh, n, m]);
    return tf.matMul(tf.softmax(logits), v);
  });
}

import * as tf from '@tensorflow/tfjs';

/**
 * The logit added to a disabled attention key. Large and finite (not −∞): `exp` of it underflows to
 * exactly 0 next to any enabled key, so the result equals PyTorch's `-inf` masking, yet a row whose
 * keys are all disabled still gives a finite (uniform) softmax instead of NaN.
 */
export const MASKED_LOGIT = -1e9;

/**
 * An additive key-padding bias for {@link scaledDotProductAttention}: `[B, N]` with 1 = the token is
 * disabled as a key becomes `[B, 1, 1, N]` with {@link MASKED_LOGIT} there and 0 elsewhere, which
 * broadcasts over heads and queries (NeighborMAE's boolean `attn_mask` of shape `[B, 1, 1, N]`).
 * Disabled tokens still act as queries.
 */
export function keyPaddingBias(keyMask: tf.Tensor2D): tf.Tensor4D {
  const [b, n] = keyMask.shape;
  return tf.tidy(() => keyMask.toFloat().mul(MASKED_LOGIT).reshape([b, 1, 1, n]) as tf.Tensor4D);
}

import type * as tf from '@tensorflow/tfjs';

/**
 * What a backbone's masked forward returns, in one of two layouts.
 *
 * - `grid` (ConvNeXt V2 / FCMAE): `features` is NHWC `[B, h, w, dim]`, zero at masked cells;
 *   `mask` is `[B, h*w]` with 1 = hidden, row-major over the grid.
 * - `tokens` (ViT / MAE): `features` is `[B*, n, dim]` (class token first when `hasClassToken`),
 *   holding only the kept tokens; `idsKeep` `[B*, n_keep]` gives their patch indices and
 *   `idsRestore` `[B*, L]` undoes the shuffle. `keyMask` `[B*, n]` marks tokens that were
 *   disabled as attention keys (NeighborMAE's adaptive ratio), 1 = disabled.
 *
 * For multi-view input (`views > 1`), `B* = B * views` for per-view tensors unless a backbone
 * documents a joint layout (`joint: true`, tokens of all views of a sample concatenated).
 */
export interface EncoderOutput {
  readonly layout: 'grid' | 'tokens';
  readonly features: tf.Tensor;
  /** `[B*, L]` float32, 1 = hidden patch, over the patch grid. */
  readonly mask?: tf.Tensor2D;
  readonly idsKeep?: tf.Tensor2D;
  readonly idsRestore?: tf.Tensor2D;
  readonly idsShuffle?: tf.Tensor2D;
  readonly keyMask?: tf.Tensor2D;
  /** Encoder width. */
  readonly dim: number;
  /** Patch grid `[h, w]` of the mask. */
  readonly grid: readonly [number, number];
  /** Input pixels per grid cell along one side. */
  readonly patchSize: number;
  readonly hasClassToken?: boolean;
  readonly views?: number;
  readonly joint?: boolean;
}

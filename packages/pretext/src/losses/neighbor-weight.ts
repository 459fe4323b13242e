import * as tf from '@tensorflow/tfjs';
import { avgPoolExcludePad } from '@terramae/tensors';

/** Inputs of {@link crossVisibilityWeight}; every map is `[N, H, W, 1]` over the pixels of N views. */
export interface CrossVisibilityWeightInputs {
  /** L: the model's per-pixel error, `mean_c (pred − target)²`. Only its value is used (stop-gradient). */
  readonly reconError: tf.Tensor4D;
  /** E: the warped neighbour's per-pixel error, `mean_c (neighbour→this − target)²`. */
  readonly neighbourError: tf.Tensor4D;
  /** 1 where the pixel lies in a patch of this view that the encoder saw, else 0. */
  readonly visible: tf.Tensor4D;
  /** 1 where a visible pixel of the other view lands (nearest warp; 0 outside its footprint). */
  readonly neighbourVisible: tf.Tensor4D;
  /** Side of the smoothing window (odd). NeighborMAE: 9. */
  readonly kernel?: number;
}

/**
 * NeighborMAE's cross-visibility loss weight (specs/neighbormae.md §3b.5, §7.4), in the reference
 * order:
 *
 * 1. `w = clamp(E / stopgrad(L), 0, 1)`: where the neighbour's visible pixel already predicts the
 *    target better than the model does, the pixel's gradient is scaled down;
 * 2. `w = 1` where the neighbour is not visible there;
 * 3. `w = AvgPool_k×k(w)` (stride 1, windows that overhang the border average only in-image pixels);
 * 4. `w = 0` on this view's own visible pixels.
 *
 * The weight carries no gradient (E comes from data, L is detached in the reference). The whole
 * computation is one custom-gradient op with a zero gradient, so none of its steps enter the tape.
 *
 * **Where L = 0** (§7.10). In float32 the reference divides by zero: `E/0 = +∞`, which the clamp
 * turns into 1, and `0/0 = NaN`, which survives the clamp and makes the loss NaN unless the
 * neighbour is invisible there. Here `w = 1` wherever `L = 0` before the clamp: identical to the
 * reference wherever the reference is finite (E > 0 or neighbour not visible), and finite instead of
 * NaN in the one case where the reference breaks (pred equal to the target and to the warped
 * neighbour at a pixel). No epsilon is added to L, so tiny L behaves exactly as in the reference.
 *
 * @returns `[N, H, W, 1]` weights in `[0, 1]`, 0 on own-visible pixels.
 */
export function crossVisibilityWeight(inputs: CrossVisibilityWeightInputs): tf.Tensor4D {
  const kernel = inputs.kernel ?? 9;
  if (!Number.isInteger(kernel) || kernel < 1 || kernel % 2 === 0) {
    throw new RangeError(`crossVisibilityWeight: kernel must be a positive odd integer (NeighborMAE uses 9), got ${kernel}`);
  }
  const shape = inputs.reconError.shape;
  for (const [name, t] of [
    ['neighbourError', inputs.neighbourError],
    ['visible', inputs.visible],
    ['neighbourVisible', inputs.neighbourVisible],
  ] as const) {
    if (t.rank !== 4 || t.shape.some((d, i) => d !== shape[i])) {
      throw new RangeError(`crossVisibilityWeight: ${name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}] like reconError`);
    }
  }
  if (shape[3] !== 1) throw new RangeError(`crossVisibilityWeight: maps must have one channel (per-pixel means), got shape [${shape.join(', ')}]`);
  return weightOp(inputs.reconError, inputs.neighbourError, inputs.visible, inputs.neighbourVisible, kernel);
}

function weightOp(l: tf.Tensor4D, e: tf.Tensor4D, visible: tf.Tensor4D, neighbourVisible: tf.Tensor4D, kernel: number): tf.Tensor4D {
  const forward = (lv: tf.Tensor4D, ev: tf.Tensor4D, vis: tf.Tensor4D, nvis: tf.Tensor4D) => ({
    value: tf.tidy(() => {
      const one = tf.onesLike(lv);
      const ratio = tf.where(tf.equal(lv, 0), one, ev.div(lv)).clipByValue(0, 1);
      const seen = tf.where(tf.greater(nvis, 0.5), ratio, one) as tf.Tensor4D;
      const smooth = kernel === 1 ? seen : avgPoolExcludePad(seen, kernel);
      return tf.where(tf.greater(vis, 0.5), tf.zerosLike(smooth), smooth) as tf.Tensor4D;
    }),
    // The weight is a constant of the loss: no gradient reaches L, E or the masks.
    gradFunc: (dy: tf.Tensor4D) => [tf.zerosLike(dy), tf.zerosLike(dy), tf.zerosLike(dy), tf.zerosLike(dy)],
  });
  const op = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...xs: tf.Tensor4D[]) => tf.Tensor4D;
  return op(l, e, visible, neighbourVisible);
}

import * as tf from '@tensorflow/tfjs';
import { patchify, unpatchify } from '@terramae/tensors';

/** Options of {@link fcmaePixelMseLoss}. */
export interface PixelMseOptions {
  /** Normalise each target patch by its mean and unbiased variance (MMEarth: S2 only). Default false. */
  readonly normPix?: boolean;
  /** Variance eps of the normalisation. Default 1e-6. */
  readonly eps?: number;
  /** `masked` (default, MMEarth): mean over hidden patches; `all`: every patch. */
  readonly patches?: 'masked' | 'all';
}

/**
 * MMEarth's continuous pixel loss (`FCMAE.forward_loss`, "pixel level modalities but continuous"):
 *
 * 1. target patchified `[N, L, p²·C]` (channel fastest), optionally normalised per patch
 *    `(t − μ)/√(var_unbiased + eps)`;
 * 2. squared error, averaged per patch over its non-NaN elements;
 * 3. `sum(loss·mask) / count_nonzero(loss·mask)` with NaN patch losses set to 0: the mean over
 *    hidden patches whose loss is finite and non-zero.
 *
 * NaN targets are skipped without NaN gradients (the difference is selected away with `where`
 * before squaring, so the backward pass never forms 0·NaN; the reference's gradient is NaN there).
 * When no patch counts, the loss is 0 (the reference divides 0 by 0).
 *
 * @param pred `[N, L, p²·C]` predictions (head output, channel index `(pi·p+qi)·C + c`).
 * @param target `[N, H, W, C]` target image.
 * @param mask `[N, L]`, 1 = hidden.
 * @param patchSize `p`.
 */
export function fcmaePixelMseLoss(pred: tf.Tensor3D, target: tf.Tensor4D, mask: tf.Tensor2D, patchSize: number, options: PixelMseOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    let t = patchify(target.toFloat() as tf.Tensor4D, patchSize);
    if (t.shape[1] !== pred.shape[1] || t.shape[2] !== pred.shape[2]) {
      throw new RangeError(`fcmaePixelMseLoss: prediction [${pred.shape.join(', ')}] does not fit the patchified target [${t.shape.join(', ')}]`);
    }
    if (options.normPix) {
      const d = t.shape[2];
      const mean = t.mean(-1, true);
      const variance = t.sub(mean).square().sum(-1, true).div(d - 1);
      t = t.sub(mean).div(variance.add(options.eps ?? 1e-6).sqrt());
    }
    const valid = tf.logicalNot(tf.isNaN(t));
    const tSafe = tf.where(valid, t, tf.zerosLike(t));
    const diff = tf.where(valid, pred.sub(tSafe), tf.zerosLike(pred));
    const sq = diff.square();
    const count = valid.toFloat().sum(-1); // [N, L]
    const patchValid = tf.greater(count, 0);
    const patchLoss = tf.where(patchValid, sq.sum(-1).div(tf.maximum(count, 1)), tf.zerosLike(count)); // NaN patches → 0
    const m = options.patches === 'all' ? tf.onesLike(patchLoss) : mask.toFloat();
    const weighted = patchLoss.mul(m);
    // count_nonzero(loss·mask): sign(|·|) is the indicator and has a zero gradient.
    const denom = weighted.abs().sign().sum();
    return weighted.sum().div(tf.maximum(denom, 1)) as tf.Scalar;
  });
}

/**
 * Turn a pixel head's `[N, L, p²·C]` output back into an `[N, H, W, C]` image. With `normPix`, the
 * prediction lives in per-patch normalised units and is mapped back with the target's own patch
 * mean and unbiased standard deviation (what MAE's visualisation does).
 */
export function unpatchifyPixelPrediction(pred: tf.Tensor3D, target: tf.Tensor4D, patchSize: number, options: PixelMseOptions = {}): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, hh, ww, c] = target.shape;
    let out: tf.Tensor3D = pred;
    if (options.normPix) {
      const t = patchify(target.toFloat() as tf.Tensor4D, patchSize);
      const d = t.shape[2];
      const mean = t.mean(-1, true);
      const variance = t.sub(mean).square().sum(-1, true).div(d - 1);
      out = pred.mul(variance.add(options.eps ?? 1e-6).sqrt()).add(mean) as tf.Tensor3D;
    }
    return unpatchify(out, patchSize, [hh / patchSize, ww / patchSize], c).reshape([n, hh, ww, c]) as tf.Tensor4D;
  });
}

import * as tf from '@tensorflow/tfjs';
import { patchify } from '@terramae/tensors';
import { normalizeByPatchStats } from './patch-norm';

/** Options of {@link maeReconstructionLoss}. */
export interface MaeLossOptions {
  /** Normalise the target by each patch's mean and unbiased variance (MAE `norm_pix_loss`). */
  readonly normPixLoss: boolean;
  /** Added to the variance before the square root. MAE: 1e-6. */
  readonly eps?: number;
}

/** What {@link maeReconstructionLoss} returns. */
export interface MaeLossResult {
  /** Mean over removed patches of the per-patch MSE. */
  readonly loss: tf.Scalar;
  /** `[N, L, p·p·C]` the target the prediction was compared with (normalised when `normPixLoss`). */
  readonly target: tf.Tensor3D;
}

/**
 * MAE's `forward_loss`: the target is the patchified image (optionally normalised per patch), the
 * per-patch loss is the MSE over the patch's `p·p·C` values, and the loss is its mean over the
 * removed patches, `Σ(loss · mask) / Σ mask`.
 *
 * @param pred `[N, L, p·p·C]` decoder prediction in the original patch order.
 * @param images `[N, H, W, C]` the image the encoder saw (before masking).
 * @param mask `[N, L]`, 1 = removed.
 * @param patchSize pixels per patch side.
 */
export function maeReconstructionLoss(pred: tf.Tensor3D, images: tf.Tensor4D, mask: tf.Tensor2D, patchSize: number, options: MaeLossOptions): MaeLossResult {
  return tf.tidy(() => {
    const raw = patchify(images, patchSize);
    if (raw.shape.some((d, i) => d !== pred.shape[i])) {
      throw new RangeError(`maeReconstructionLoss: prediction [${pred.shape.join(', ')}] does not match the patchified target [${raw.shape.join(', ')}] (patch size ${patchSize})`);
    }
    if (mask.shape[0] !== raw.shape[0] || mask.shape[1] !== raw.shape[1]) {
      throw new RangeError(`maeReconstructionLoss: mask [${mask.shape.join(', ')}] does not match ${raw.shape[0]} images of ${raw.shape[1]} patches`);
    }
    const target = options.normPixLoss ? (normalizeByPatchStats(raw, [], options.eps ?? 1e-6)[0] as tf.Tensor3D) : raw;
    const perPatch = pred.sub(target).square().mean(2) as tf.Tensor2D;
    const loss = perPatch.mul(mask).sum().div(mask.sum()) as tf.Scalar;
    return { loss, target };
  });
}

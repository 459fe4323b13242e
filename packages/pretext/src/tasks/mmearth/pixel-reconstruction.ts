import * as tf from '@tensorflow/tfjs';
import { modalityChannels } from '@terramae/tensors';
import { definePretextTask } from '../../api/registry';
import { decodeStep, fcmaeConvInitStd, fcmaeDecoderFor, resolveFcmaeDecoderConfig } from '../../decoders/fcmae-decoder';
import { batchTarget, decoderProblems, checkPixelTarget, MMEARTH_DECODER_DEFAULTS, patchSizeOf, specProblems, targetModality, type MMEarthTaskConfigBase } from './common';
import { MMEarthTaskError } from './errors';
import { PixelHead } from './heads';
import { fcmaePixelMseLoss, unpatchifyPixelPrediction } from './pixel-mse-loss';

/** Config of the `pixel-reconstruction` task. */
export interface PixelReconstructionConfig extends MMEarthTaskConfigBase {
  /** Per-patch normalised target (mean and unbiased variance over p²·C values). MMEarth: S2 only. Default false. */
  readonly normPix: boolean;
  /** Variance eps of the normalisation. Default 1e-6. */
  readonly eps: number;
  /** Loss over `masked` patches (MMEarth) or `all`. Default `masked`. */
  readonly patches: 'masked' | 'all';
  /**
   * Replace NaN/±inf in the target by 0 before the loss (what `FCMAE.forward` does for S2, S1,
   * ASTER and canopy, so missing values are regressed to the mean). With false, NaN elements are
   * skipped (what `forward_loss` alone does). Default false.
   */
  readonly nanToZero: boolean;
}

/** Defaults of `pixel-reconstruction`: the input modality, masked patches, no norm-pix, NaNs skipped. */
export const PIXEL_RECONSTRUCTION_DEFAULTS: PixelReconstructionConfig = {
  modality: '',
  normPix: false,
  eps: 1e-6,
  patches: 'masked',
  nanToZero: false,
  decoder: MMEARTH_DECODER_DEFAULTS,
};

/**
 * MMEarth's continuous pixel task (S2 reconstruction, S1, ASTER, canopy height): the FCMAE
 * decoder (shared), a 1×1 conv head to `p²·C`, and {@link fcmaePixelMseLoss}. Works on grid
 * (ConvNeXt V2) and token (ViT) encoders: tokens are scattered back to the grid first.
 */
export const pixelReconstructionTask = definePretextTask({
  name: 'pixel-reconstruction',
  level: 'pixel',
  description: 'MMEarth/FCMAE pixel regression of a continuous map (MSE per patch over non-NaN values, mean over masked patches, optional per-patch norm).',
  defaults: PIXEL_RECONSTRUCTION_DEFAULTS,
  consumes: (_c: PixelReconstructionConfig, ctx: { inputModality: string }) => [ctx.inputModality],
  predicts: (c: PixelReconstructionConfig, ctx: { inputModality: string }) => [targetModality(c, ctx.inputModality)],
  validate: (c, ctx) => {
    const m = targetModality(c, ctx.inputModality);
    const problems = specProblems('pixel-reconstruction', m, ctx.specs[m], 'pixel', 'continuous');
    if (c.normPix && ctx.specs[m] && ctx.specs[m].bands.length < 1) problems.push(`pixel-reconstruction: '${m}' has no bands`);
    if (c.patches !== 'masked' && c.patches !== 'all') problems.push(`pixel-reconstruction: patches must be 'masked' or 'all', got '${String(c.patches)}'`);
    problems.push(...decoderProblems('pixel-reconstruction', c.decoder));
    return problems;
  },
  build: (c, ctx) => {
    const m = targetModality(c, ctx.inputModality);
    const spec = ctx.specs[m];
    if (!spec) throw new MMEarthTaskError(`pixel-reconstruction: no spec for '${m}'`);
    const d = resolveFcmaeDecoderConfig(c.decoder);
    return new PixelHead(d.dim, ctx.patchSize * ctx.patchSize * modalityChannels(spec), ctx.rng, fcmaeDecoderFor(c.decoder, ctx), fcmaeConvInitStd(d.convInit));
  },
  loss: (head, step, c) => {
    const modality = targetModality(c, step.inputModality);
    return tf.tidy(() => {
      const target = batchTarget(step, 'pixel-reconstruction', modality) as tf.Tensor4D;
      checkPixelTarget('pixel-reconstruction', modality, target, step.input);
      const t = c.nanToZero ? tf.where(tf.isFinite(target), target, tf.zerosLike(target)) : target;
      const pred = head.forward(decodeStep(step, head.decoder, head.sharedDecoder));
      return { loss: fcmaePixelMseLoss(pred, t as tf.Tensor4D, step.mask.mask, patchSizeOf(step), { normPix: c.normPix, eps: c.eps, patches: c.patches }) };
    });
  },
  predict: (head, step, c) => {
    const modality = targetModality(c, step.inputModality);
    return tf.tidy(() => {
      const target = batchTarget(step, 'pixel-reconstruction', modality) as tf.Tensor4D;
      const t = tf.where(tf.isFinite(target), target, tf.zerosLike(target)) as tf.Tensor4D;
      const pred = head.forward(decodeStep(step, head.decoder, head.sharedDecoder));
      return unpatchifyPixelPrediction(pred, t, patchSizeOf(step), { normPix: c.normPix, eps: c.eps });
    });
  },
});

import * as tf from '@tensorflow/tfjs';
import { unpatchify } from '@terramae/tensors';
import { definePretextTask } from '../../api/registry';
import { decodeStep, fcmaeConvInitStd, fcmaeDecoderFor, resolveFcmaeDecoderConfig } from '../../decoders/fcmae-decoder';
import { batchTarget, decoderProblems, checkPixelTarget, MMEARTH_DECODER_DEFAULTS, patchSizeOf, specProblems, targetModality, type MMEarthTaskConfigBase } from './common';
import { MMEarthTaskError } from './errors';
import { PixelHead } from './heads';
import { fcmaePixelCrossEntropy } from './pixel-ce-loss';

/** Config of the `pixel-classification` task. */
export interface PixelClassificationConfig extends MMEarthTaskConfigBase {
  /** Loss over the pixels of `masked` patches (MMEarth) or of `all`. Default `masked`. */
  readonly patches: 'masked' | 'all';
}

/** Defaults of `pixel-classification` (set `modality`, e.g. `dynamic_world`). */
export const PIXEL_CLASSIFICATION_DEFAULTS: PixelClassificationConfig = { modality: '', patches: 'masked', decoder: MMEARTH_DECODER_DEFAULTS };

/**
 * MMEarth's categorical pixel task (Dynamic World 9 classes, WorldCover 11): the shared FCMAE
 * decoder, a 1×1 conv head to `p²·K` read as `[N, L, p², K]`, and
 * {@link fcmaePixelCrossEntropy} over the pixels of hidden patches, ignoring the spec's
 * `ignoreIndex` (−1 by default).
 */
export const pixelClassificationTask = definePretextTask({
  name: 'pixel-classification',
  level: 'pixel',
  description: 'MMEarth/FCMAE per-pixel classification of a categorical map (cross-entropy on pixels of masked patches, ignore label).',
  defaults: PIXEL_CLASSIFICATION_DEFAULTS,
  consumes: (_c: PixelClassificationConfig, ctx: { inputModality: string }) => [ctx.inputModality],
  predicts: (c: PixelClassificationConfig, ctx: { inputModality: string }) => [targetModality(c, ctx.inputModality)],
  validate: (c, ctx) => {
    const m = targetModality(c, ctx.inputModality);
    const problems = specProblems('pixel-classification', m, ctx.specs[m], 'pixel', 'categorical');
    if (c.modality === '') problems.push(`pixel-classification: set 'modality' to the categorical map to predict (e.g. dynamic_world)`);
    problems.push(...decoderProblems('pixel-classification', c.decoder));
    return problems;
  },
  build: (c, ctx) => {
    const m = targetModality(c, ctx.inputModality);
    const k = ctx.specs[m]?.numClasses;
    if (!k) throw new MMEarthTaskError(`pixel-classification: the spec of '${m}' has no numClasses`);
    const d = resolveFcmaeDecoderConfig(c.decoder);
    return new PixelHead(d.dim, ctx.patchSize * ctx.patchSize * k, ctx.rng, fcmaeDecoderFor(c.decoder, ctx), fcmaeConvInitStd(d.convInit));
  },
  loss: (head, step, c) => {
    const modality = targetModality(c, step.inputModality);
    return tf.tidy(() => {
      const spec = step.batch.specs[modality];
      const labels = batchTarget(step, 'pixel-classification', modality);
      checkPixelTarget('pixel-classification', modality, labels, step.input);
      const p = patchSizeOf(step);
      const k = head.outChannels / (p * p);
      const pred = head.forward(decodeStep(step, head.decoder, head.sharedDecoder));
      return { loss: fcmaePixelCrossEntropy(pred, labels, step.mask.mask, p, k, { ignoreIndex: spec?.ignoreIndex ?? -1, patches: c.patches }) };
    });
  },
  predict: (head, step) =>
    tf.tidy(() => {
      const p = patchSizeOf(step);
      const k = head.outChannels / (p * p);
      const pred = head.forward(decodeStep(step, head.decoder, head.sharedDecoder)); // [N, L, p²·K]
      const [n, l] = pred.shape;
      const classes = pred.reshape([n, l, p * p, k]).argMax(-1).reshape([n, l, p * p]).toFloat() as tf.Tensor3D;
      const [, hh, ww] = step.input.shape;
      return unpatchify(classes, p, [hh / p, ww / p], 1).reshape([n, hh, ww]).toInt();
    }),
});

import * as tf from '@tensorflow/tfjs';
import { definePretextTask } from '../../api/registry';
import { fcmaeDecoderFor, imageNormFor, pooledStep, resolveFcmaeDecoderConfig } from '../../decoders/fcmae-decoder';
import { batchTarget, decoderProblems, perImage, MMEARTH_DECODER_DEFAULTS, specProblems, targetModality, type MMEarthTaskConfigBase } from './common';
import { MMEarthTaskError } from './errors';
import { ImageHead } from './heads';
import { imageMse } from './image-losses';

/** Config of the `image-regression` task. */
export type ImageRegressionConfig = MMEarthTaskConfigBase;

/** Defaults of `image-regression` (set `modality`, e.g. `era5`). */
export const IMAGE_REGRESSION_DEFAULTS: ImageRegressionConfig = { modality: '', decoder: MMEARTH_DECODER_DEFAULTS };

/**
 * MMEarth's image-level continuous task (ERA5 12 values, lat 2, lon 2, month 2): shared decoder →
 * shared `layer_norm_tmp` → global average pool → per-task Linear → MSE over the non-NaN target
 * entries of every sample.
 */
export const imageRegressionTask = definePretextTask({
  name: 'image-regression',
  level: 'image',
  description: 'MMEarth image-level regression (pooled decoder features, per-task linear head, MSE over non-NaN targets of all samples).',
  defaults: IMAGE_REGRESSION_DEFAULTS,
  consumes: (_c: ImageRegressionConfig, ctx: { inputModality: string }) => [ctx.inputModality],
  predicts: (c: ImageRegressionConfig, ctx: { inputModality: string }) => [targetModality(c, ctx.inputModality)],
  validate: (c, ctx) => {
    const m = targetModality(c, ctx.inputModality);
    const problems = specProblems('image-regression', m, ctx.specs[m], 'image', 'continuous');
    if (c.modality === '') problems.push(`image-regression: set 'modality' to the image-level values to predict (e.g. era5)`);
    problems.push(...decoderProblems('image-regression', c.decoder));
    return problems;
  },
  build: (c, ctx) => {
    const m = targetModality(c, ctx.inputModality);
    const spec = ctx.specs[m];
    if (!spec) throw new MMEarthTaskError(`image-regression: no spec for '${m}'`);
    const { decoder, shared } = fcmaeDecoderFor(c.decoder, ctx);
    const { norm } = imageNormFor(c.decoder, ctx);
    return new ImageHead(resolveFcmaeDecoderConfig(c.decoder).dim, spec.bands.length, ctx.rng, { decoder, norm, shared });
  },
  loss: (head, step, c) => {
    const modality = targetModality(c, step.inputModality);
    return tf.tidy(() => {
      const target = perImage(step, batchTarget(step, 'image-regression', modality));
      const n = step.input.shape[0];
      if (target.rank !== 2 || target.shape[0] !== n || target.shape[1] !== head.outFeatures) {
        throw new MMEarthTaskError(`image-regression: '${modality}' must be [${n}, ${head.outFeatures}], got [${target.shape.join(', ')}]`);
      }
      const pred = head.forward(pooledStep(step, head.decoder, head.norm, head.sharedDecoder));
      return { loss: imageMse(pred, target as tf.Tensor2D) };
    });
  },
});

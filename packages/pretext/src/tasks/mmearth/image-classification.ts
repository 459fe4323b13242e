import * as tf from '@tensorflow/tfjs';
import { definePretextTask } from '../../api/registry';
import { fcmaeDecoderFor, imageNormFor, pooledStep, resolveFcmaeDecoderConfig } from '../../decoders/fcmae-decoder';
import { batchTarget, decoderProblems, perImage, MMEARTH_DECODER_DEFAULTS, specProblems, targetModality, type MMEarthTaskConfigBase } from './common';
import { MMEarthTaskError } from './errors';
import { ImageHead } from './heads';
import { imageCrossEntropy } from './image-losses';

/** Config of the `image-classification` task. */
export type ImageClassificationConfig = MMEarthTaskConfigBase;

/** Defaults of `image-classification` (set `modality`, e.g. `biome`). */
export const IMAGE_CLASSIFICATION_DEFAULTS: ImageClassificationConfig = { modality: '', decoder: MMEARTH_DECODER_DEFAULTS };

/**
 * MMEarth's image-level categorical task (biome 14 classes, ecoregion 846): shared decoder →
 * shared `layer_norm_tmp` → global average pool over every cell (mask-token cells included) →
 * per-task Linear → cross-entropy over every sample. Batch values are `[B]` class indices.
 */
export const imageClassificationTask = definePretextTask({
  name: 'image-classification',
  level: 'image',
  description: 'MMEarth image-level classification (pooled decoder features, per-task linear head, cross-entropy over all samples).',
  defaults: IMAGE_CLASSIFICATION_DEFAULTS,
  consumes: (_c: ImageClassificationConfig, ctx: { inputModality: string }) => [ctx.inputModality],
  predicts: (c: ImageClassificationConfig, ctx: { inputModality: string }) => [targetModality(c, ctx.inputModality)],
  validate: (c, ctx) => {
    const m = targetModality(c, ctx.inputModality);
    const problems = specProblems('image-classification', m, ctx.specs[m], 'image', 'categorical');
    if (c.modality === '') problems.push(`image-classification: set 'modality' to the image-level label to predict (e.g. biome)`);
    problems.push(...decoderProblems('image-classification', c.decoder));
    return problems;
  },
  build: (c, ctx) => {
    const m = targetModality(c, ctx.inputModality);
    const k = ctx.specs[m]?.numClasses;
    if (!k) throw new MMEarthTaskError(`image-classification: the spec of '${m}' has no numClasses`);
    const { decoder, shared } = fcmaeDecoderFor(c.decoder, ctx);
    const { norm } = imageNormFor(c.decoder, ctx);
    return new ImageHead(resolveFcmaeDecoderConfig(c.decoder).dim, k, ctx.rng, { decoder, norm, shared });
  },
  loss: (head, step, c) => {
    const modality = targetModality(c, step.inputModality);
    return tf.tidy(() => {
      const labels = perImage(step, batchTarget(step, 'image-classification', modality));
      const n = step.input.shape[0];
      if (labels.rank !== 1 || labels.shape[0] !== n) {
        throw new MMEarthTaskError(`image-classification: '${modality}' must be [${n}] class indices, got [${labels.shape.join(', ')}] (a one-hot row becomes its argmax in the dataset)`);
      }
      const pred = head.forward(pooledStep(step, head.decoder, head.norm, head.sharedDecoder));
      return { loss: imageCrossEntropy(pred, labels as tf.Tensor1D) };
    });
  },
});

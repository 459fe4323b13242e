import * as tf from '@tensorflow/tfjs';
import type { Backbone, BackboneFeatures } from '@terramae/backbones';
import { disposeBatch, type Batch } from '@terramae/tensors';
import { AdamW } from '../../optim/adamw';
import type { LayerDecay } from '../../optim/layer-decay';
import { halfCycleCosineSchedule } from '../../optim/lr-schedule';
import { buildParamGroups } from '../../optim/param-groups';
import { EvaluationError } from '../errors';
import { inputModalityOf } from '../extract-features';
import { layerDecayFor } from '../finetune/backbone-layer-decay';
import { crossEntropyLoss } from '../finetune/cross-entropy';
import { runSupervisedEpochs, type EpochBatches, type SupervisedEpochRecord } from '../finetune/supervised-loop';
import { accuracyFromConfusion } from '../metrics/accuracy';
import { addConfusionMatrices, confusionMatrix, type ConfusionMatrix } from '../metrics/confusion-matrix';
import { meanIoUFromConfusion, perClassIoU } from '../metrics/mean-iou';
import { unetDecoderFor, unetSkips, type UNetDecoder } from './unet-decoder';

/** Options of {@link trainSegmentation}. */
export interface SegmentationOptions {
  /** A grid backbone with a feature pyramid (ConvNeXt V2 with padding `same` or `unet`). */
  readonly backbone: Backbone;
  /** Classes of the pixel labels. */
  readonly numClasses: number;
  /** The categorical pixel modality holding the labels (`[B, H, W]` int32), e.g. `lulc`. */
  readonly target: string;
  /** Training batches of each epoch. */
  readonly train: EpochBatches;
  /** Optimiser steps per epoch (for the per-step schedule). */
  readonly stepsPerEpoch: number;
  readonly epochs: number;
  /** Input modality (default: see `extractFeatures`). */
  readonly modality?: string;
  /** Label that is not scored (default: the target spec's `ignoreIndex`, else -1). */
  readonly ignoreIndex?: number;
  /**
   * Epoch from which the backbone trains too (MMEarth's "LP&FT": 50 of 200). Default: never,
   * i.e. a probe that trains the decoder and head on a frozen backbone.
   */
  readonly unfreezeAt?: number;
  /** Peak learning rate. Default 1.25e-3 (MMEarth: blr 1e-2 at an effective batch of 32). */
  readonly lr?: number;
  readonly minLr?: number;
  readonly warmupEpochs?: number;
  /** AdamW weight decay. Default 0.3 (MMEarth `slurm_fine_tune_seg_all.sh`). */
  readonly weightDecay?: number;
  /** Layer-wise lr decay of the backbone once unfrozen (see `fineTune`). Default 0.9. */
  readonly layerDecay?: number | LayerDecay | false;
  /** A decoder to train (default: `unetDecoderFor(backbone, numClasses)`). */
  readonly decoder?: UNetDecoder;
  readonly seed?: number;
  readonly onEpoch?: (record: SupervisedEpochRecord) => void | Promise<void>;
  readonly signal?: AbortSignal;
}

/** Segmentation scores over a whole split (one confusion matrix, not a mean over batches). */
export interface SegmentationScore {
  /** Macro Jaccard over the classes present in targets or predictions. */
  readonly meanIoU: number;
  /** Per-class IoU (NaN for a class absent from both). */
  readonly perClassIoU: Float64Array;
  readonly pixelAccuracy: number;
  readonly confusion: ConfusionMatrix;
}

/** What {@link trainSegmentation} returns; dispose the decoder when done. */
export interface SegmentationResult {
  readonly decoder: UNetDecoder;
  readonly history: readonly SupervisedEpochRecord[];
  /** mIoU, per-class IoU and pixel accuracy over labelled batches (released). */
  evaluate(batches: Iterable<Batch> | AsyncIterable<Batch>): Promise<SegmentationScore>;
}

function labelsOf(batch: Batch, target: string): tf.Tensor3D {
  const t = batch.modalities[target];
  if (!t) throw new EvaluationError(`segmentation: the batch has no target modality '${target}' (it has ${Object.keys(batch.modalities).join(', ')}).`);
  if (t.rank !== 3) throw new EvaluationError(`segmentation: target '${target}' has shape [${t.shape.join(', ')}]; expected [B, H, W] class indices (a categorical pixel modality).`);
  return t as tf.Tensor3D;
}

/**
 * Semantic segmentation with MMEarth's U-Net decoder on a backbone's feature pyramid: per-pixel
 * cross-entropy (ignore label skipped, no smoothing), AdamW with a per-step half-cycle cosine. The
 * backbone stays frozen (a segmentation probe) until `unfreezeAt`, then trains with layer decay
 * (MMEarth's LP&FT). Scored by mIoU over the whole split.
 */
export async function trainSegmentation(options: SegmentationOptions): Promise<SegmentationResult> {
  const { backbone, numClasses, target } = options;
  const decoder = options.decoder ?? unetDecoderFor(backbone, numClasses, options.seed ?? 0);
  const decoderVars = decoder.trainableVariables();
  const backboneVars = new Map(backbone.namedParameters().filter((p) => p.trainable).map((p) => [p.name, p.variable] as const));
  const clash = [...decoderVars.keys()].find((n) => backboneVars.has(n));
  if (clash) throw new EvaluationError(`trainSegmentation: the backbone and the decoder both have a parameter '${clash}'; build the backbone without a head.`);
  const unfreezeAt = options.unfreezeAt ?? Number.POSITIVE_INFINITY;
  const willUnfreeze = unfreezeAt < options.epochs;
  const all = new Map([...(willUnfreeze ? backboneVars : []), ...decoderVars]);
  const decay = options.layerDecay ?? 0.9;
  const layerDecay = !willUnfreeze || decay === false ? undefined : typeof decay === 'number' ? layerDecayFor(backbone, decay) : decay;
  const optimizer = new AdamW(buildParamGroups(all, { weightDecay: options.weightDecay ?? 0.3, noDecay: 'convnext', ...(layerDecay ? { layerDecay } : {}) }), { betas: [0.9, 0.999] });
  const schedule = halfCycleCosineSchedule({ lr: options.lr ?? 1.25e-3, minLr: options.minLr ?? 1e-6, warmupEpochs: options.warmupEpochs ?? 0, epochs: options.epochs, itersPerEpoch: options.stepsPerEpoch });
  const ignoreOf = (batch: Batch) => options.ignoreIndex ?? batch.specs[target]?.ignoreIndex ?? -1;
  const logitsOf = (batch: Batch, frozen: boolean) => {
    const x = batch.modalities[inputModalityOf(batch, options.modality, 'trainSegmentation')] as tf.Tensor4D;
    const features = frozen
      ? (tf.tidy(() => backbone.forwardFeatures(x, { pyramid: true }) as unknown as tf.TensorContainer) as unknown as BackboneFeatures)
      : backbone.forwardFeatures(x, { pyramid: true });
    return decoder.apply(unetSkips(features));
  };
  let epochNow = 0;
  const wasTraining = backbone.training;
  let history: SupervisedEpochRecord[];
  try {
    backbone.train(true);
    history = await runSupervisedEpochs({
      where: 'trainSegmentation',
      epochs: options.epochs,
      train: (epoch) => {
        epochNow = epoch;
        return options.train(epoch);
      },
      optimizer,
      schedule,
      variables: (epoch) => (epoch >= unfreezeAt ? all : decoderVars),
      loss: (batch) => {
        const labels = labelsOf(batch, target);
        const logits = logitsOf(batch, epochNow < unfreezeAt);
        const [b, h, w] = labels.shape;
        if (logits.shape[1] !== h || logits.shape[2] !== w) {
          throw new EvaluationError(`trainSegmentation: the decoder predicts ${logits.shape[1]}×${logits.shape[2]} pixels but '${target}' is ${h}×${w}; the labels must be aligned with the input.`);
        }
        return crossEntropyLoss(logits.reshape([b * h * w, numClasses]) as tf.Tensor2D, labels.reshape([b * h * w]) as tf.Tensor1D, { ignoreIndex: ignoreOf(batch) });
      },
      ...(options.onEpoch ? { onEpoch: options.onEpoch } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (!options.decoder) decoder.dispose();
    throw error;
  } finally {
    optimizer.dispose();
    backbone.train(wasTraining);
  }
  return {
    decoder,
    history,
    async evaluate(batches) {
      const was = backbone.training;
      backbone.train(false);
      const parts: ConfusionMatrix[] = [];
      try {
        for await (const batch of batches) {
          try {
            const labels = labelsOf(batch, target);
            const pred = tf.tidy(() => logitsOf(batch, true).argMax(3));
            const [p, t] = await Promise.all([pred.data(), labels.data()]);
            pred.dispose();
            parts.push(confusionMatrix(p, t, { numClasses, ignoreIndex: ignoreOf(batch) }));
          } finally {
            disposeBatch(batch);
          }
        }
      } finally {
        backbone.train(was);
      }
      if (parts.length === 0) throw new EvaluationError('trainSegmentation.evaluate: no batches to score.');
      const confusion = addConfusionMatrices(parts);
      return { meanIoU: meanIoUFromConfusion(confusion), perClassIoU: perClassIoU(confusion), pixelAccuracy: accuracyFromConfusion(confusion), confusion };
    },
  };
}

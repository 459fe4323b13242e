import * as tf from '@tensorflow/tfjs';
import type { Backbone } from '@terramae/backbones';
import { disposeBatch, type Batch } from '@terramae/tensors';
import { AdamW } from '../../optim/adamw';
import type { LayerDecay } from '../../optim/layer-decay';
import { halfCycleCosineSchedule } from '../../optim/lr-schedule';
import { buildParamGroups, VIT_NO_WEIGHT_DECAY } from '../../optim/param-groups';
import { EvaluationError } from '../errors';
import { inputModalityOf } from '../extract-features';
import { accuracyFromConfusion } from '../metrics/accuracy';
import { confusionMatrix, type ConfusionMatrix } from '../metrics/confusion-matrix';
import { macroF1FromConfusion } from '../metrics/macro-f1';
import { ClassificationHead } from './classification-head';
import { crossEntropyLoss } from './cross-entropy';
import { layerDecayFor } from './backbone-layer-decay';
import { runSupervisedEpochs, type EpochBatches, type SupervisedEpochRecord } from './supervised-loop';

/** Options of {@link fineTune}. */
export interface FineTuneOptions {
  /** The (pretrained) backbone; build it with the drop-path rate you want (MMEarth: 0.1) and without a head. */
  readonly backbone: Backbone;
  readonly numClasses: number;
  /** Training batches of each epoch (with `labels`). */
  readonly train: EpochBatches;
  /** Optimiser steps per epoch, for the per-iteration schedule (MMEarth updates the lr every step). */
  readonly stepsPerEpoch: number;
  readonly epochs: number;
  /** Input modality (default: see `extractFeatures`). */
  readonly modality?: string;
  /** Peak learning rate. Default 8e-4 (MMEarth atto: blr 2e-4 at an effective batch of 1024). */
  readonly lr?: number;
  /** Final learning rate of the cosine. Default 1e-6. */
  readonly minLr?: number;
  /** Warmup epochs. Default 0. */
  readonly warmupEpochs?: number;
  /** AdamW weight decay. Default 0.3 (MMEarth fine-tuning). */
  readonly weightDecay?: number;
  /** AdamW betas. Default [0.9, 0.999]. */
  readonly betas?: readonly [number, number];
  /**
   * Layer-wise lr decay: a factor (the backbone's rule, see `layerDecayFor`), an explicit
   * {@link LayerDecay}, or `false`. Default 0.9 (MMEarth).
   */
  readonly layerDecay?: number | LayerDecay | false;
  /** Label smoothing. Default 0.2 (MMEarth classification). */
  readonly labelSmoothing?: number;
  /** Std of the head's trunc-normal init. Default 2e-5 (MMEarth). */
  readonly headInitStd?: number;
  /**
   * Train the head only (the reference linear-probe recipe: LayerNorm + Linear with AdamW on a
   * frozen backbone). Default false.
   */
  readonly freezeBackbone?: boolean;
  /**
   * Mode of a frozen backbone: `train` keeps drop path active as MMEarth's linear probing does
   * (the default), `eval` turns it off. A backbone being fine-tuned always trains.
   */
  readonly frozenBackboneMode?: 'train' | 'eval';
  /** Seed of the head init. Default 0. */
  readonly seed?: number;
  readonly onEpoch?: (record: SupervisedEpochRecord) => void | Promise<void>;
  readonly signal?: AbortSignal;
}

/** Scores of a classifier on a labelled set. */
export interface ClassifierScore {
  readonly accuracy: number;
  readonly macroF1: number;
  readonly confusion: ConfusionMatrix;
  readonly samples: number;
}

/** What {@link fineTune} returns; dispose the head when done (the backbone stays yours). */
export interface FineTuneResult {
  readonly head: ClassificationHead;
  readonly history: readonly SupervisedEpochRecord[];
  /** Class predictions (and the batches' labels) in evaluation mode; batches are released. */
  predict(batches: Iterable<Batch> | AsyncIterable<Batch>): Promise<{ predictions: Int32Array; labels?: Int32Array }>;
  /** Accuracy, macro-F1 and confusion matrix over labelled batches (released). */
  evaluate(batches: Iterable<Batch> | AsyncIterable<Batch>): Promise<ClassifierScore>;
}

/**
 * Supervised fine-tuning as MMEarth's `main_finetune.py`: backbone → pooled features → LayerNorm
 * → Linear head re-initialised with trunc-normal std 2e-5; AdamW (0.9, 0.999), weight decay 0.3
 * without decay on 1-D parameters, biases and GRN `gamma/beta`; layer-wise lr decay 0.9; a
 * per-step half-cycle cosine from `lr` to 1e-6; label-smoothed cross-entropy (0.2). With
 * `freezeBackbone` only the head trains (the reference linear-probe recipe).
 */
export async function fineTune(options: FineTuneOptions): Promise<FineTuneResult> {
  const { backbone, numClasses } = options;
  const backboneParams = backbone.namedParameters().filter((p) => p.trainable);
  const hasNorm = backbone.namedParameters().some((p) => p.name.startsWith('norm.'));
  const clash = backbone.namedParameters().find((p) => p.name.startsWith('head.') || (hasNorm && p.name.startsWith('fc_norm.')));
  if (clash) throw new EvaluationError(`fineTune: the backbone already has a parameter '${clash.name}'; build it without a classifier head (numClasses 0).`);
  const head = new ClassificationHead(backbone.dim, numClasses, { normName: hasNorm ? 'fc_norm' : 'norm', initStd: options.headInitStd ?? 2e-5, seed: options.seed ?? 0 });
  const frozen = options.freezeBackbone ?? false;
  const headVars = head.trainableVariables();
  const all = new Map<string, tf.Variable>([...(frozen ? [] : backboneParams.map((p) => [p.name, p.variable] as const)), ...headVars]);
  const decay = options.layerDecay ?? 0.9;
  const layerDecay = decay === false || frozen ? undefined : typeof decay === 'number' ? layerDecayFor(backbone, decay) : decay;
  const skipList = [...backboneParams.filter((p) => p.noWeightDecay).map((p) => p.name), ...(backbone.layout === 'tokens' ? VIT_NO_WEIGHT_DECAY : [])];
  const optimizer = new AdamW(
    buildParamGroups(all, { weightDecay: options.weightDecay ?? 0.3, noDecay: backbone.layout === 'grid' ? 'convnext' : 'timm', skipList, ...(layerDecay ? { layerDecay } : {}) }),
    { betas: options.betas ?? [0.9, 0.999] },
  );
  const schedule = halfCycleCosineSchedule({ lr: options.lr ?? 8e-4, minLr: options.minLr ?? 1e-6, warmupEpochs: options.warmupEpochs ?? 0, epochs: options.epochs, itersPerEpoch: options.stepsPerEpoch });
  const smoothing = options.labelSmoothing ?? 0.2;
  const wasTraining = backbone.training;
  const features = (batch: Batch) => backbone.forwardFeatures(batch.modalities[inputModalityOf(batch, options.modality, 'fineTune')] as tf.Tensor4D).pooled;
  let history: SupervisedEpochRecord[];
  try {
    backbone.train(!(frozen && options.frozenBackboneMode === 'eval'));
    head.train(true);
    history = await runSupervisedEpochs({
      where: 'fineTune',
      epochs: options.epochs,
      train: options.train,
      optimizer,
      schedule,
      variables: () => all,
      loss: (batch) => {
        if (!batch.labels) throw new EvaluationError('fineTune: a training batch has no labels; use a labelled source (e.g. a class-folder dataset).');
        const pooled = frozen ? tf.tidy(() => features(batch)) : features(batch);
        return crossEntropyLoss(head.apply(pooled), batch.labels, { smoothing });
      },
      ...(options.onEpoch ? { onEpoch: options.onEpoch } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    head.dispose();
    throw error;
  } finally {
    optimizer.dispose();
    backbone.train(wasTraining);
  }
  const predict = (batches: Iterable<Batch> | AsyncIterable<Batch>) => classifyBatches((b) => head.apply(features(b)), backbone, batches);
  return {
    head,
    history,
    predict,
    async evaluate(batches) {
      const { predictions, labels } = await predict(batches);
      if (!labels) throw new EvaluationError('fineTune.evaluate: the batches carry no labels.');
      const confusion = confusionMatrix(predictions, labels, { numClasses });
      return { accuracy: accuracyFromConfusion(confusion), macroF1: macroF1FromConfusion(confusion), confusion, samples: labels.length };
    },
  };
}

/**
 * Argmax class predictions of `logits(batch)` over batches, with `model` in evaluation mode
 * (restored afterwards); labels are collected when every batch has them; batches are released.
 */
export async function classifyBatches(
  logits: (batch: Batch) => tf.Tensor2D,
  model: { readonly training: boolean; train(mode?: boolean): unknown },
  batches: Iterable<Batch> | AsyncIterable<Batch>,
): Promise<{ predictions: Int32Array; labels?: Int32Array }> {
  const preds: number[] = [];
  const labels: number[] = [];
  let allLabelled = true;
  const was = model.training;
  model.train(false);
  try {
    for await (const batch of batches) {
      try {
        const argmax = tf.tidy(() => logits(batch).argMax(1));
        preds.push(...(await argmax.data()));
        argmax.dispose();
        if (batch.labels) labels.push(...(await batch.labels.data()));
        else allLabelled = false;
      } finally {
        disposeBatch(batch);
      }
    }
  } finally {
    model.train(was);
  }
  return { predictions: Int32Array.from(preds), ...(allLabelled && labels.length ? { labels: Int32Array.from(labels) } : {}) };
}

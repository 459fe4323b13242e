import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { DataLoader } from '@terramae/datasets';
import type { Recipe } from '@terramae/recipes';
import { disposeBatch, saveSafetensors } from '@terramae/tensors';
import { fineTune, type ClassifierScore, type SupervisedEpochRecord } from '@terramae/trainer';
import type { CliContext } from '../context';
import { openData } from '../data/open-data';
import { centerCropTransform } from '../data/transforms';
import { formatDuration, formatNumber } from '../util/format';
import { loadEncoder } from './load-encoder';

/** Options of {@link runFinetune}. */
export interface FinetuneRunOptions {
  readonly recipe: Recipe;
  /** Encoder weights; omit to train from the recipe's random init. */
  readonly checkpoint?: string;
  readonly mmearthSparse?: boolean;
  /** Split to train on (default `train`). */
  readonly trainSplit?: string;
  /** Split to score (default `test`). */
  readonly testSplit?: string;
  readonly labelField?: string;
  readonly epochs: number;
  readonly batchSize: number;
  /** Peak learning rate (default 8e-4, MMEarth atto). */
  readonly lr?: number;
  /** Layer-wise lr decay factor, or `false` (default 0.9). */
  readonly layerDecay?: number | false;
  /** Label smoothing (default 0.2, MMEarth classification). */
  readonly labelSmoothing?: number;
  /** Train the head only (MMEarth's linear-probing recipe). */
  readonly linear?: boolean;
  /** Folder for `finetuned.safetensors` (backbone + head in PyTorch names). */
  readonly out?: string;
}

/** What {@link runFinetune} did. */
export interface FinetuneRunResult {
  readonly origin: string;
  readonly history: readonly SupervisedEpochRecord[];
  readonly test: ClassifierScore;
  readonly classes: number;
  readonly weights?: string;
  readonly trainSamples: number;
}

/**
 * Supervised fine-tuning (or, with `linear`, the head-only linear-probing recipe) of an encoder
 * on a labelled dataset as MMEarth's `main_finetune.py` does (see `fineTune` in
 * `@terramae/trainer`), then accuracy and macro-F1 on the test split.
 */
export async function runFinetune(options: FinetuneRunOptions, ctx: CliContext): Promise<FinetuneRunResult> {
  const label = options.labelField ? { labelField: options.labelField } : {};
  const train = await openData(options.recipe, { purpose: 'eval', split: options.trainSplit ?? 'train', ...label });
  const test = await openData(options.recipe, { purpose: 'eval', split: options.testSplit ?? 'test', ...label }).catch((error: unknown) => {
    train.close();
    throw error;
  });
  ctx.io.err(`train: ${train.description}`);
  ctx.io.err(`test:  ${test.description}`);
  const encoder = loadEncoder({
    ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
    recipe: options.recipe,
    specs: train.specs,
    ...(options.mmearthSparse ? { mmearthSparse: true } : {}),
  });
  ctx.io.err(`encoder: ${encoder.origin}`);
  let head: { dispose(): void; torchStateDict(): Record<string, tf.Tensor> } | undefined;
  try {
    const crop = [centerCropTransform(options.recipe.input.size)];
    const trainLoader = new DataLoader(train.source, { batchSize: options.batchSize, seed: options.recipe.seed, transforms: crop, dropLast: false });
    const numClasses = Math.max(train.labelNames?.length ?? 0, test.labelNames?.length ?? 0) || undefined;
    const classes = numClasses ?? (await countClasses(trainLoader));
    ctx.setInterruptible(true);
    let result;
    try {
      result = await fineTune({
        backbone: encoder.backbone,
        numClasses: classes,
        train: () => trainLoader,
        stepsPerEpoch: Math.max(1, trainLoader.batchesPerEpoch),
        epochs: options.epochs,
        modality: options.recipe.input.modality,
        ...(options.lr !== undefined ? { lr: options.lr } : {}),
        ...(options.layerDecay !== undefined ? { layerDecay: options.layerDecay } : {}),
        ...(options.labelSmoothing !== undefined ? { labelSmoothing: options.labelSmoothing } : {}),
        ...(options.linear ? { freezeBackbone: true } : {}),
        seed: options.recipe.seed,
        onEpoch: async (r) => {
          ctx.io.err(`epoch ${r.epoch + 1}/${options.epochs}: loss ${formatNumber(r.loss)}, lr ${r.lr.toExponential(2)}, ${r.steps} steps in ${formatDuration(r.seconds)}`);
          await new Promise((resolveTick) => setImmediate(resolveTick)); // let SIGINT handlers run
        },
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
    } finally {
      ctx.setInterruptible(false);
    }
    head = result.head;
    const testLoader = new DataLoader(test.source, { batchSize: options.batchSize, shuffle: false, dropLast: false, transforms: crop });
    const score = await result.evaluate(testLoader);
    let weights: string | undefined;
    if (options.out) {
      mkdirSync(options.out, { recursive: true });
      weights = join(options.out, 'finetuned.safetensors');
      const dict = { ...encoder.backbone.torchStateDict(), ...result.head.torchStateDict() };
      try {
        saveSafetensors(weights, dict, { format: 'pt', recipe: options.recipe.name, classes: String(classes) });
      } finally {
        for (const t of Object.values(dict)) t.dispose();
      }
    }
    return { origin: encoder.origin, history: result.history, test: score, classes, trainSamples: train.source.length, ...(weights ? { weights } : {}) };
  } finally {
    head?.dispose();
    encoder.backbone.dispose();
    train.close();
    test.close();
  }
}

/** Classes = one more than the largest label (read from one pass over the labels). */
async function countClasses(loader: DataLoader): Promise<number> {
  let max = 0;
  const state = loader.state();
  for await (const batch of loader) {
    if (batch.labels) for (const l of await batch.labels.data()) max = Math.max(max, l);
    disposeBatch(batch);
  }
  loader.restore(state);
  return max + 1;
}

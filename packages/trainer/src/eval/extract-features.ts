import * as tf from '@tensorflow/tfjs';
import type { Backbone } from '@terramae/backbones';
import { disposeBatch, type Batch } from '@terramae/tensors';
import { EvaluationError } from './errors';
import type { FeatureMatrix } from './features';

/** Something that turns a batch into pooled features `[B, D]`: a backbone, or your own function. */
export type FeatureExtractor = Pick<Backbone, 'forwardFeatures'> | ((batch: Batch) => tf.Tensor2D);

/** Options of {@link extractFeatures}. */
export interface ExtractFeaturesOptions {
  /**
   * The modality the backbone reads. Default: `sentinel2` when the batch has it, else the batch's
   * only continuous pixel-level modality.
   */
  readonly modality?: string;
  /** Keep the batches (default false: each batch is disposed once its features are read, like the training loop does). */
  readonly keepBatches?: boolean;
  /** Stop after this many samples (the last batch is truncated). */
  readonly limit?: number;
}

/** What {@link extractFeatures} returns. */
export interface ExtractedFeatures {
  readonly features: FeatureMatrix;
  /** Labels of the samples, when every batch carries `labels`. */
  readonly labels?: Int32Array;
  /** `Batch.indices` of the samples, in order. */
  readonly indices: readonly number[];
}

type Trainable = { readonly training: boolean; train(mode?: boolean): unknown };

function isTrainable(x: unknown): x is Trainable {
  return typeof x === 'object' && x !== null && typeof (x as Trainable).train === 'function' && typeof (x as Trainable).training === 'boolean';
}

/** The input modality of a batch for feature extraction (see {@link ExtractFeaturesOptions.modality}). */
export function inputModalityOf(batch: Batch, requested: string | undefined, where: string): string {
  const names = Object.keys(batch.modalities);
  if (requested !== undefined) {
    if (!batch.modalities[requested]) throw new EvaluationError(`${where}: the batch has no modality '${requested}' (it has ${names.join(', ') || 'none'}); set 'modality' to one of them.`);
    return requested;
  }
  if (batch.modalities.sentinel2) return 'sentinel2';
  const pixel = names.filter((n) => {
    const spec = batch.specs[n];
    return spec ? spec.level === 'pixel' && spec.kind === 'continuous' : batch.modalities[n]?.rank === 4;
  });
  if (pixel.length === 1) return pixel[0] as string;
  throw new EvaluationError(`${where}: cannot tell which modality is the input among ${pixel.join(', ') || names.join(', ') || 'none'}; pass 'modality'.`);
}

/**
 * Frozen features of a labelled set, computed once for every probe: each batch runs through the
 * extractor in evaluation mode (drop path off; the previous mode is restored afterwards) inside
 * `tf.tidy`, its pooled features are read back asynchronously and the batch is released, so
 * device memory stays at one batch however long the set is.
 *
 * @example
 * ```ts
 * const { features, labels } = await extractFeatures(backbone, loader);
 * const cv = await crossValidate(features, labels!, { folds: 5 });
 * ```
 */
export async function extractFeatures(
  extractor: FeatureExtractor,
  batches: Iterable<Batch> | AsyncIterable<Batch>,
  options: ExtractFeaturesOptions = {},
): Promise<ExtractedFeatures> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const trainable = typeof extractor !== 'function' && isTrainable(extractor) ? extractor : undefined;
  const wasTraining = trainable?.training;
  trainable?.train(false);
  const chunks: Float32Array[] = [];
  const labelChunks: Int32Array[] = [];
  const indices: number[] = [];
  let rows = 0;
  let cols = -1;
  let withLabels: boolean | undefined;
  try {
    for await (const batch of batches) {
      try {
        if (rows >= limit) break;
        if (batch.views !== 1) throw new EvaluationError(`extractFeatures: batches must have one view per sample, got ${batch.views}; evaluate on single images.`);
        const pooled = tf.tidy(() => {
          if (typeof extractor === 'function') return extractor(batch);
          const name = inputModalityOf(batch, options.modality, 'extractFeatures');
          return extractor.forwardFeatures(batch.modalities[name] as tf.Tensor4D).pooled;
        });
        let data: Float32Array;
        try {
          if (pooled.rank !== 2 || pooled.shape[0] !== batch.size) {
            throw new EvaluationError(`extractFeatures: the extractor returned shape [${pooled.shape.join(', ')}] for a batch of ${batch.size}; expected [${batch.size}, D].`);
          }
          data = (await pooled.data()) as Float32Array;
        } finally {
          pooled.dispose();
        }
        const d = pooled.shape[1];
        if (cols >= 0 && d !== cols) throw new EvaluationError(`extractFeatures: feature width changed from ${cols} to ${d} between batches.`);
        cols = d;
        const take = Math.min(batch.size, limit - rows);
        chunks.push(take < batch.size ? data.slice(0, take * d) : data);
        indices.push(...batch.indices.slice(0, take));
        const has = batch.labels !== undefined;
        if (withLabels !== undefined && has !== withLabels) throw new EvaluationError('extractFeatures: some batches carry labels and others do not; use one labelled source.');
        withLabels = has;
        if (batch.labels) labelChunks.push(Int32Array.from((await batch.labels.data()).slice(0, take)));
        rows += take;
      } finally {
        if (!options.keepBatches) disposeBatch(batch);
      }
    }
  } finally {
    if (trainable && wasTraining !== undefined) trainable.train(wasTraining);
  }
  if (rows === 0) throw new EvaluationError('extractFeatures: the batch source was empty.');
  const features = new Float32Array(rows * cols);
  let offset = 0;
  for (const c of chunks) {
    features.set(c, offset);
    offset += c.length;
  }
  let labels: Int32Array | undefined;
  if (withLabels) {
    labels = new Int32Array(rows);
    let o = 0;
    for (const l of labelChunks) {
      labels.set(l, o);
      o += l.length;
    }
  }
  return { features: { data: features, rows, cols }, ...(labels ? { labels } : {}), indices };
}

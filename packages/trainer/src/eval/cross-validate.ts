import type * as tf from '@tensorflow/tfjs';
import { scoreSplit, toHost, type ProbeEvaluationOptions, type ProbeScore } from './evaluate-probe';
import { selectLabels, selectRows, type FeatureMatrix } from './features';
import { addConfusionMatrices, type ConfusionMatrix } from './metrics/confusion-matrix';
import { inferNumClasses } from './metrics/labels';
import { summarize, type ScoreSummary } from './metrics/summary';
import { resolveProbeMethod } from './probe/probe-method';
import { stratifiedKFold } from './split/stratified-k-fold';

/** Options of {@link crossValidate}. */
export interface CrossValidateOptions extends ProbeEvaluationOptions {
  /** Folds. Default 5. */
  readonly folds?: number;
  /** Seed of the stratified split. Default 0. */
  readonly seed?: number;
}

/** What {@link crossValidate} returns. */
export interface CrossValidationResult {
  readonly method: string;
  /** Per fold, in order. */
  readonly folds: readonly ProbeScore[];
  readonly accuracy: ScoreSummary;
  readonly macroF1: ScoreSummary;
  /** The folds' confusion matrices added: every sample counted once. */
  readonly confusion: ConfusionMatrix;
}

/**
 * Stratified k-fold cross-validation of a probe on frozen features, for small labelled sets such
 * as EuroSAT-270: each fold's held-out samples are scored by a probe fitted on the others, and
 * accuracy and macro-F1 are reported as mean and spread over the folds.
 *
 * @example
 * ```ts
 * const { features, labels } = await extractFeatures(backbone, batches);
 * const cv = await crossValidate(features, labels, { folds: 5, method: 'knn' });
 * console.log(cv.accuracy.mean, cv.accuracy.std);
 * ```
 */
export async function crossValidate(
  features: FeatureMatrix | tf.Tensor2D,
  labels: ArrayLike<number> | tf.Tensor1D,
  options: CrossValidateOptions = {},
): Promise<CrossValidationResult> {
  const host = await toHost({ features, labels }, 'crossValidate');
  const method = resolveProbeMethod(options.method);
  const c = inferNumClasses('crossValidate', options.numClasses, host.labels);
  const folds: ProbeScore[] = [];
  for (const f of stratifiedKFold(host.labels, options.folds ?? 5, options.seed ?? 0)) {
    folds.push(
      await scoreSplit(
        method,
        selectRows(host.features, f.train),
        selectLabels(host.labels, f.train),
        selectRows(host.features, f.test),
        selectLabels(host.labels, f.test),
        c,
      ),
    );
  }
  return {
    method: method.name,
    folds,
    accuracy: summarize(folds.map((f) => f.accuracy)),
    macroF1: summarize(folds.map((f) => f.macroF1)),
    confusion: addConfusionMatrices(folds.map((f) => f.confusion)),
  };
}

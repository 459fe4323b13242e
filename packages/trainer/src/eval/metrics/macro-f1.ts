import { confusionMatrix, perClassCounts, type ConfusionMatrix } from './confusion-matrix';
import type { LabelArray } from './labels';

/**
 * What a macro average does with a class that appears neither in the targets nor in the
 * predictions (`tp + fp + fn = 0`): `skip` it (default; torchmetrics and sklearn) or count it as `zero`.
 */
export type AbsentClassPolicy = 'skip' | 'zero';

/** Options of {@link macroF1}. */
export interface MacroF1Options {
  /** Number of classes (default: one more than the largest label). */
  readonly numClasses?: number;
  /** Classes absent from targets and predictions. Default `skip`. */
  readonly absent?: AbsentClassPolicy;
}

/** Per-class F1 `2·tp / (2·tp + fp + fn)`, NaN for a class with no sample and no prediction. */
export function perClassF1(m: ConfusionMatrix): Float64Array {
  const { tp, fp, fn } = perClassCounts(m);
  return tp.map((t, k) => {
    const d = 2 * t + (fp[k] as number) + (fn[k] as number);
    return d === 0 ? Number.NaN : (2 * t) / d;
  });
}

/**
 * Macro F1: the unweighted mean over classes of the per-class F1 score (torchmetrics
 * `F1Score(task='multiclass', average='macro')`, sklearn `f1_score(average='macro')`). A class
 * predicted but never correct scores 0; a class absent from both sides is skipped (or 0 with
 * `absent: 'zero'`). An empty set scores 0.
 */
export function macroF1(predictions: LabelArray, targets: LabelArray, options: MacroF1Options = {}): number {
  return macroF1FromConfusion(confusionMatrix(predictions, targets, options.numClasses !== undefined ? { numClasses: options.numClasses } : {}), options.absent);
}

/** Macro F1 of a confusion matrix. */
export function macroF1FromConfusion(m: ConfusionMatrix, absent: AbsentClassPolicy = 'skip'): number {
  return macroMean(perClassF1(m), absent);
}

/** Mean of per-class scores where NaN marks an absent class. */
export function macroMean(scores: Float64Array, absent: AbsentClassPolicy): number {
  let sum = 0;
  let n = 0;
  for (const s of scores) {
    if (Number.isNaN(s)) {
      if (absent === 'zero') n++;
      continue;
    }
    sum += s;
    n++;
  }
  return n === 0 ? 0 : sum / n;
}

import { EvaluationError } from '../errors';
import { checkSameLength, inferNumClasses, type LabelArray } from './labels';

/**
 * A confusion matrix: `counts[t * numClasses + p]` is the number of samples (or pixels) of true
 * class `t` predicted as `p` (rows = truth, columns = prediction, as torchmetrics and sklearn).
 */
export interface ConfusionMatrix {
  readonly numClasses: number;
  /** Row-major `[numClasses, numClasses]` counts (float64, so pixel counts never overflow). */
  readonly counts: Float64Array;
}

/** Options of {@link confusionMatrix}. */
export interface ConfusionMatrixOptions {
  /** Number of classes (default: one more than the largest label). */
  readonly numClasses?: number;
  /** Targets equal to this are skipped (segmentation's ignore label, e.g. -1). */
  readonly ignoreIndex?: number;
}

/**
 * Count predictions against targets. Targets equal to `ignoreIndex` are skipped; any other label
 * outside `[0, numClasses)` is an error naming its position.
 */
export function confusionMatrix(predictions: LabelArray, targets: LabelArray, options: ConfusionMatrixOptions = {}): ConfusionMatrix {
  checkSameLength(predictions, targets, 'confusionMatrix');
  const ignore = options.ignoreIndex;
  const c = inferNumClasses('confusionMatrix', options.numClasses, predictions, ignore === undefined ? targets : Array.from(targets).filter((t) => t !== ignore));
  const counts = new Float64Array(c * c);
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i] as number;
    if (t === ignore) continue;
    const p = predictions[i] as number;
    if (!Number.isInteger(t) || t < 0 || t >= c) throw new EvaluationError(`confusionMatrix: target ${t} at position ${i} is outside [0, ${c}); check numClasses and ignoreIndex.`);
    if (!Number.isInteger(p) || p < 0 || p >= c) throw new EvaluationError(`confusionMatrix: prediction ${p} at position ${i} is outside [0, ${c}); check numClasses.`);
    counts[t * c + p]! += 1;
  }
  return { numClasses: c, counts };
}

/** Add confusion matrices of the same size (e.g. the folds of a cross-validation). */
export function addConfusionMatrices(matrices: readonly ConfusionMatrix[]): ConfusionMatrix {
  const first = matrices[0];
  if (!first) throw new EvaluationError('addConfusionMatrices: no matrices to add.');
  const counts = new Float64Array(first.counts.length);
  for (const m of matrices) {
    if (m.numClasses !== first.numClasses) throw new EvaluationError(`addConfusionMatrices: matrices of ${first.numClasses} and ${m.numClasses} classes cannot be added.`);
    for (let i = 0; i < counts.length; i++) counts[i]! += m.counts[i] as number;
  }
  return { numClasses: first.numClasses, counts };
}

/** Total count of a confusion matrix (the number of samples or pixels scored). */
export function confusionTotal(m: ConfusionMatrix): number {
  let s = 0;
  for (const v of m.counts) s += v;
  return s;
}

/** Per-class true positives, false positives and false negatives. */
export function perClassCounts(m: ConfusionMatrix): { tp: Float64Array; fp: Float64Array; fn: Float64Array } {
  const c = m.numClasses;
  const tp = new Float64Array(c);
  const fp = new Float64Array(c);
  const fn = new Float64Array(c);
  for (let t = 0; t < c; t++) {
    for (let p = 0; p < c; p++) {
      const v = m.counts[t * c + p] as number;
      if (t === p) tp[t]! += v;
      else {
        fn[t]! += v;
        fp[p]! += v;
      }
    }
  }
  return { tp, fp, fn };
}

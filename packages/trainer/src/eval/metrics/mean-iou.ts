import { confusionMatrix, perClassCounts, type ConfusionMatrix } from './confusion-matrix';
import type { LabelArray } from './labels';
import { macroMean, type AbsentClassPolicy } from './macro-f1';

/** Options of {@link meanIoU}. */
export interface MeanIoUOptions {
  /** Number of classes (default: one more than the largest label). */
  readonly numClasses?: number;
  /** Pixels whose target equals this are not scored (e.g. -1, MMEarth's ignore label). */
  readonly ignoreIndex?: number;
  /** Classes absent from targets and predictions. Default `skip`. */
  readonly absent?: AbsentClassPolicy;
}

/** Per-class IoU (Jaccard) `tp / (tp + fp + fn)`, NaN for a class with no pixel on either side. */
export function perClassIoU(m: ConfusionMatrix): Float64Array {
  const { tp, fp, fn } = perClassCounts(m);
  return tp.map((t, k) => {
    const d = t + (fp[k] as number) + (fn[k] as number);
    return d === 0 ? Number.NaN : t / d;
  });
}

/**
 * Mean IoU, the macro Jaccard index over classes (torchmetrics
 * `JaccardIndex(task='multiclass', average='macro')`, MMEarth's segmentation metric), computed
 * over the whole split from one confusion matrix (not averaged over mini-batches). Pixels with
 * the ignore label are skipped; classes absent from targets and predictions are skipped (or count
 * as 0 with `absent: 'zero'`).
 */
export function meanIoU(predictions: LabelArray, targets: LabelArray, options: MeanIoUOptions = {}): number {
  const m = confusionMatrix(predictions, targets, {
    ...(options.numClasses !== undefined ? { numClasses: options.numClasses } : {}),
    ...(options.ignoreIndex !== undefined ? { ignoreIndex: options.ignoreIndex } : {}),
  });
  return meanIoUFromConfusion(m, options.absent);
}

/** Mean IoU of a confusion matrix. */
export function meanIoUFromConfusion(m: ConfusionMatrix, absent: AbsentClassPolicy = 'skip'): number {
  return macroMean(perClassIoU(m), absent);
}

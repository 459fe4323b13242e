import { EvaluationError } from '../errors';

/** Options of {@link multilabelF1}. */
export interface MultilabelF1Options {
  /** A label is predicted when its probability is `> threshold` (torchmetrics). Default 0.5. */
  readonly threshold?: number;
  /**
   * Whether scores are logits (a sigmoid is applied first). Default `auto`, as torchmetrics:
   * logits when any score lies outside [0, 1], probabilities otherwise.
   */
  readonly logits?: boolean | 'auto';
}

/**
 * Micro multilabel F1 at a threshold: `2·TP / (2·TP + FP + FN)` summed over every (sample, label)
 * pair (torchmetrics `F1Score(task='multilabel', average='micro')` at threshold 0.5, MMEarth's
 * BigEarthNet metric). `scores` and `targets` are `[N, L]` row-major; targets are 0/1. A set with
 * no positive target and no positive prediction scores 0.
 */
export function multilabelF1(scores: ArrayLike<number>, targets: ArrayLike<number>, options: MultilabelF1Options = {}): number {
  if (scores.length !== targets.length) {
    throw new EvaluationError(`multilabelF1: scores has ${scores.length} values but targets has ${targets.length}; both must be [N, numLabels] row-major.`);
  }
  const threshold = options.threshold ?? 0.5;
  let logits = options.logits ?? 'auto';
  if (logits === 'auto') {
    logits = false;
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i] as number;
      if (s < 0 || s > 1) {
        logits = true;
        break;
      }
    }
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    const t = targets[i] as number;
    if (t !== 0 && t !== 1) throw new EvaluationError(`multilabelF1: target ${t} at position ${i} is not 0 or 1.`);
    const p = (logits ? 1 / (1 + Math.exp(-s)) : s) > threshold;
    if (p && t === 1) tp++;
    else if (p) fp++;
    else if (t === 1) fn++;
  }
  const d = 2 * tp + fp + fn;
  return d === 0 ? 0 : (2 * tp) / d;
}

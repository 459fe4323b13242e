import { confusionTotal, type ConfusionMatrix } from './confusion-matrix';
import { checkSameLength, type LabelArray } from './labels';

/**
 * Micro accuracy, the fraction of samples predicted correctly: torchmetrics
 * `Accuracy(task='multiclass', average='micro')`, MMEarth's metric for EuroSAT, So2Sat and
 * brick-kiln. Targets equal to `ignoreIndex` are not counted. An empty set scores 0.
 */
export function accuracy(predictions: LabelArray, targets: LabelArray, options: { ignoreIndex?: number } = {}): number {
  checkSameLength(predictions, targets, 'accuracy');
  let correct = 0;
  let total = 0;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i];
    if (options.ignoreIndex !== undefined && t === options.ignoreIndex) continue;
    total++;
    if (predictions[i] === t) correct++;
  }
  return total === 0 ? 0 : correct / total;
}

/** Micro accuracy of a confusion matrix (trace / total; 0 when empty). */
export function accuracyFromConfusion(m: ConfusionMatrix): number {
  const total = confusionTotal(m);
  if (total === 0) return 0;
  let correct = 0;
  for (let k = 0; k < m.numClasses; k++) correct += m.counts[k * m.numClasses + k] as number;
  return correct / total;
}

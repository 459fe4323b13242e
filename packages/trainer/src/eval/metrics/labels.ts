import { EvaluationError } from '../errors';

/** Integer class labels or predictions, one per sample (or pixel). */
export type LabelArray = ArrayLike<number>;

/** Check that `a` and `b` have the same length; `where` names the caller in the error. */
export function checkSameLength(a: LabelArray, b: LabelArray, where: string, names: [string, string] = ['predictions', 'targets']): void {
  if (a.length !== b.length) {
    throw new EvaluationError(`${where}: ${names[0]} has ${a.length} entries but ${names[1]} has ${b.length}; pass one entry per sample.`);
  }
}

/** The number of classes: `numClasses` when given, else one more than the largest label seen. */
export function inferNumClasses(where: string, numClasses: number | undefined, ...arrays: LabelArray[]): number {
  if (numClasses !== undefined) {
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new EvaluationError(`${where}: numClasses must be a positive integer, got ${numClasses}.`);
    return numClasses;
  }
  let max = -1;
  for (const a of arrays) for (let i = 0; i < a.length; i++) max = Math.max(max, a[i] as number);
  if (max < 0) throw new EvaluationError(`${where}: no labels to infer the number of classes from; pass numClasses.`);
  return max + 1;
}

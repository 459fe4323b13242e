import { Rng } from '@terramae/tensors';
import { EvaluationError } from '../errors';
import type { LabelArray } from '../metrics/labels';

/** One fold of a split: sample indices to train on and to test on (ascending). */
export interface Fold {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

/** Sample indices grouped by class (`byClass[c]` ascending). */
export function indicesByClass(labels: LabelArray, where = 'indicesByClass'): number[][] {
  const byClass: number[][] = [];
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i] as number;
    if (!Number.isInteger(c) || c < 0) throw new EvaluationError(`${where}: label ${c} of sample ${i} is not a class index (a non-negative integer).`);
    (byClass[c] ??= []).push(i);
  }
  for (let c = 0; c < byClass.length; c++) byClass[c] ??= [];
  return byClass;
}

/**
 * Seeded stratified k-fold split: the samples of every class are shuffled with the seed and dealt
 * round-robin to the folds (continuing where the previous class stopped), so each fold holds
 * `⌊n_c/k⌋` or `⌈n_c/k⌉` samples of class `c` and fold sizes differ by at most one. Each sample is
 * in exactly one test fold. A class with fewer samples than folds is an error (pass fewer folds).
 */
export function stratifiedKFold(labels: LabelArray, folds: number, seed = 0): Fold[] {
  if (!Number.isInteger(folds) || folds < 2) throw new EvaluationError(`stratifiedKFold: folds must be an integer >= 2, got ${folds}.`);
  if (labels.length < folds) throw new EvaluationError(`stratifiedKFold: ${labels.length} samples cannot make ${folds} folds.`);
  const byClass = indicesByClass(labels, 'stratifiedKFold');
  const small = byClass.map((m, c) => [c, m.length] as const).filter(([, n]) => n > 0 && n < folds);
  if (small.length) {
    throw new EvaluationError(
      `stratifiedKFold: class${small.length > 1 ? 'es' : ''} ${small.map(([c, n]) => `${c} (${n} sample${n === 1 ? '' : 's'})`).join(', ')} ` +
        `ha${small.length > 1 ? 've' : 's'} fewer samples than the ${folds} folds; use at most ${Math.min(...small.map(([, n]) => n))} folds or drop the class.`,
    );
  }
  const rng = new Rng(seed);
  const assignment = new Int32Array(labels.length);
  let next = 0;
  for (const members of byClass) {
    for (const i of rng.shuffle([...members])) {
      assignment[i] = next;
      next = (next + 1) % folds;
    }
  }
  return Array.from({ length: folds }, (_, f) => {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < labels.length; i++) (assignment[i] === f ? test : train).push(i);
    return { train: Int32Array.from(train), test: Int32Array.from(test) };
  });
}

import { Rng } from '@terramae/tensors';
import { EvaluationError } from '../errors';
import type { LabelArray } from '../metrics/labels';
import { indicesByClass } from './stratified-k-fold';

/** How many training samples a few-shot run keeps: `n` per class, or a fraction of every class. */
export type FewShotSize = { readonly perClass: number } | { readonly fraction: number };

/**
 * A seeded, stratified few-shot subset of a labelled set (sample indices, ascending).
 * - `{ perClass: n }`: `n` random samples of each class (all of a class that has fewer).
 * - `{ fraction: f }`: `round(f · n_c)` random samples of each class `c`, at least one, like
 *   GEO-Bench's `0.01x_train` / `0.05x_train` partitions (which are stratified as well).
 * The same seed gives the same subset; different seeds give the repeated draws whose mean and
 * spread a few-shot result reports.
 */
export function fewShotSubset(labels: LabelArray, size: FewShotSize, seed = 0): Int32Array {
  const byClass = indicesByClass(labels, 'fewShotSubset');
  let take: (n: number) => number;
  if ('perClass' in size) {
    if (!Number.isInteger(size.perClass) || size.perClass < 1) throw new EvaluationError(`fewShotSubset: perClass must be a positive integer, got ${size.perClass}.`);
    take = (n) => Math.min(n, size.perClass);
  } else {
    if (!(size.fraction > 0 && size.fraction <= 1)) throw new EvaluationError(`fewShotSubset: fraction must be in (0, 1], got ${size.fraction}.`);
    take = (n) => Math.min(n, Math.max(1, Math.round(size.fraction * n)));
  }
  const rng = new Rng(seed);
  const out: number[] = [];
  for (const members of byClass) {
    if (members.length === 0) continue;
    out.push(...rng.shuffle([...members]).slice(0, take(members.length)));
  }
  return Int32Array.from(out.sort((a, b) => a - b));
}

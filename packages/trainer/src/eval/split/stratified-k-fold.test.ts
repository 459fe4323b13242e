import { describe, expect, it } from 'vitest';
import { EvaluationError } from '../errors';
import { indicesByClass, stratifiedKFold } from './stratified-k-fold';

const labels = [0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2];

describe('stratifiedKFold', () => {
  it('puts every sample in exactly one test fold, with balanced classes', () => {
    const folds = stratifiedKFold(labels, 3, 7);
    const seen = new Array(labels.length).fill(0);
    for (const f of folds) {
      for (const i of f.test) seen[i]++;
      expect(f.train.length + f.test.length).toBe(labels.length);
      expect([...f.train].some((i) => [...f.test].includes(i))).toBe(false);
      const counts = [0, 1, 2].map((c) => [...f.test].filter((i) => labels[i] === c).length);
      expect(counts[0]).toBeGreaterThanOrEqual(1); // 5 of class 0 → 1 or 2 per fold
      expect(counts[0]).toBeLessThanOrEqual(2);
      expect(counts[1]).toBe(1); // 3 of class 1 → exactly 1
      expect(counts[2]).toBeGreaterThanOrEqual(2); // 7 of class 2 → 2 or 3
      expect(counts[2]).toBeLessThanOrEqual(3);
    }
    expect(seen.every((n) => n === 1)).toBe(true);
    const sizes = folds.map((f) => f.test.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('is seeded', () => {
    const a = stratifiedKFold(labels, 3, 1).map((f) => Array.from(f.test));
    expect(stratifiedKFold(labels, 3, 1).map((f) => Array.from(f.test))).toEqual(a);
    expect(stratifiedKFold(labels, 3, 2).map((f) => Array.from(f.test))).not.toEqual(a);
  });

  it('names a class too small for the folds', () => {
    expect(() => stratifiedKFold([0, 0, 0, 1, 1], 3)).toThrow(/class 1 \(2 samples\).*at most 2 folds/);
    expect(() => stratifiedKFold(labels, 1)).toThrow(EvaluationError);
    expect(() => indicesByClass([0, -1])).toThrow(/sample 1/);
  });
});

import { describe, expect, it } from 'vitest';
import { EvaluationError } from '../errors';
import { addConfusionMatrices, confusionMatrix, confusionTotal, perClassCounts } from './confusion-matrix';

const T = [0, 0, 1, 1, 2, 2];
const P = [0, 1, 1, 1, 2, 0];

describe('confusionMatrix', () => {
  it('counts rows = truth, columns = prediction', () => {
    const m = confusionMatrix(P, T);
    expect(m.numClasses).toBe(3);
    expect(Array.from(m.counts)).toEqual([1, 1, 0, 0, 2, 0, 1, 0, 1]);
    expect(confusionTotal(m)).toBe(6);
  });

  it('per-class tp/fp/fn by hand', () => {
    const { tp, fp, fn } = perClassCounts(confusionMatrix(P, T));
    expect(Array.from(tp)).toEqual([1, 2, 1]);
    expect(Array.from(fp)).toEqual([1, 1, 0]);
    expect(Array.from(fn)).toEqual([1, 0, 1]);
  });

  it('skips the ignore label and checks ranges', () => {
    const m = confusionMatrix([0, 1, 1], [0, -1, 1], { numClasses: 2, ignoreIndex: -1 });
    expect(Array.from(m.counts)).toEqual([1, 0, 0, 1]);
    expect(() => confusionMatrix([0, 3], [0, 1], { numClasses: 2 })).toThrow(/prediction 3 at position 1/);
    expect(() => confusionMatrix([0], [0, 1])).toThrow(EvaluationError);
  });

  it('adds matrices (fold totals)', () => {
    const a = confusionMatrix([0, 1], [0, 0], { numClasses: 2 });
    const b = confusionMatrix([1], [1], { numClasses: 2 });
    expect(Array.from(addConfusionMatrices([a, b]).counts)).toEqual([1, 1, 0, 1]);
    expect(() => addConfusionMatrices([a, confusionMatrix([0], [0], { numClasses: 3 })])).toThrow(/3 classes/);
  });
});

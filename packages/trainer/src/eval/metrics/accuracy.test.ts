import { describe, expect, it } from 'vitest';
import { accuracy, accuracyFromConfusion } from './accuracy';
import { confusionMatrix } from './confusion-matrix';

describe('accuracy', () => {
  it('is correct / total', () => {
    expect(accuracy([0, 1, 1, 1, 2, 0], [0, 0, 1, 1, 2, 2])).toBeCloseTo(4 / 6, 12);
    expect(accuracyFromConfusion(confusionMatrix([0, 1, 1, 1, 2, 0], [0, 0, 1, 1, 2, 2]))).toBeCloseTo(4 / 6, 12);
  });
  it('skips ignored targets and scores an empty set 0', () => {
    expect(accuracy([1, 0, 0], [1, -1, 1], { ignoreIndex: -1 })).toBe(0.5);
    expect(accuracy([], [])).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { confusionMatrix } from './confusion-matrix';
import { macroF1, perClassF1 } from './macro-f1';

const T = [0, 0, 1, 1, 2, 2];
const P = [0, 1, 1, 1, 2, 0];

describe('macroF1', () => {
  it('matches the hand computation', () => {
    // F1 per class: 2/(2+1+1) = 0.5, 4/(4+1+0) = 0.8, 2/(2+0+1) = 2/3
    expect(Array.from(perClassF1(confusionMatrix(P, T)))).toEqual([0.5, 0.8, 2 / 3].map((v) => expect.closeTo(v, 12)));
    expect(macroF1(P, T)).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 12);
  });
  it('skips absent classes by default, or counts them as zero', () => {
    expect(macroF1(P, T, { numClasses: 5 })).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 12);
    expect(macroF1(P, T, { numClasses: 5, absent: 'zero' })).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 5, 12);
  });
  it('gives 0 to a class that is predicted but never right', () => {
    expect(macroF1([1, 1], [0, 0], { numClasses: 2 })).toBe(0);
  });
});

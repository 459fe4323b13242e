import { describe, expect, it } from 'vitest';
import { multilabelF1 } from './multilabel-f1';

describe('multilabelF1', () => {
  it('micro F1 at threshold 0.5 by hand', () => {
    const scores = [0.9, 0.2, 0.6, 0.4, 0.7, 0.1];
    const targets = [1, 0, 0, 1, 1, 0];
    // predicted [1,0,1],[0,1,0]: TP 2, FP 1, FN 1 → 4/6
    expect(multilabelF1(scores, targets)).toBeCloseTo(2 / 3, 12);
  });
  it('uses a strict threshold, like torchmetrics', () => {
    expect(multilabelF1([0.5], [1])).toBe(0);
    expect(multilabelF1([0.5], [1], { threshold: 0.4 })).toBe(1);
  });
  it('applies a sigmoid to logits (auto-detected outside [0, 1])', () => {
    expect(multilabelF1([2, -3, 0.3], [1, 0, 1])).toBe(1); // sigmoid(0.3) = 0.574
    expect(multilabelF1([0.3], [1], { logits: false })).toBe(0);
  });
  it('rejects mismatched sizes and non-binary targets', () => {
    expect(() => multilabelF1([0.1, 0.2], [1])).toThrow(/\[N, numLabels\]/);
    expect(() => multilabelF1([0.1], [2])).toThrow(/not 0 or 1/);
  });
});

import { describe, expect, it } from 'vitest';
import { fewShotSubset } from './few-shot-subset';

const labels = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2];

describe('fewShotSubset', () => {
  it('takes n per class (all of a smaller class)', () => {
    const idx = fewShotSubset(labels, { perClass: 2 }, 3);
    const counts = [0, 1, 2].map((c) => [...idx].filter((i) => labels[i] === c).length);
    expect(counts).toEqual([2, 2, 1]);
    expect([...idx]).toEqual([...idx].sort((a, b) => a - b));
  });
  it('takes a rounded fraction of every class, at least one', () => {
    const idx = fewShotSubset(labels, { fraction: 0.3 }, 0);
    const counts = [0, 1, 2].map((c) => [...idx].filter((i) => labels[i] === c).length);
    expect(counts).toEqual([3, 1, 1]);
  });
  it('differs between seeds and repeats with one', () => {
    const a = Array.from(fewShotSubset(labels, { perClass: 3 }, 1));
    expect(Array.from(fewShotSubset(labels, { perClass: 3 }, 1))).toEqual(a);
    const others = [2, 3, 4, 5].map((s) => Array.from(fewShotSubset(labels, { perClass: 3 }, s)).join());
    expect(others.some((o) => o !== a.join())).toBe(true);
  });
  it('rejects bad sizes', () => {
    expect(() => fewShotSubset(labels, { perClass: 0 })).toThrow(/perClass/);
    expect(() => fewShotSubset(labels, { fraction: 1.5 })).toThrow(/fraction/);
  });
});

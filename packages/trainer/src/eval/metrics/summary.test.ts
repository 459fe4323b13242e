import { describe, expect, it } from 'vitest';
import { summarize } from './summary';

describe('summarize', () => {
  it('mean and sample std', () => {
    const s = summarize([0.5, 0.7, 0.9]);
    expect(s.mean).toBeCloseTo(0.7, 12);
    expect(s.std).toBeCloseTo(0.2, 12);
    expect([s.min, s.max]).toEqual([0.5, 0.9]);
    expect(summarize([0.3]).std).toBe(0);
    expect(() => summarize([])).toThrow(/no values/);
  });
});

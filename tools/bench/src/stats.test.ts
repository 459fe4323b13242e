import { describe, expect, it } from 'vitest';
import { formatSpread, summarize } from './stats';

describe('summarize', () => {
  it('takes the median of odd and even counts and keeps the spread', () => {
    expect(summarize([5, 1, 3]).median).toBe(3);
    expect(summarize([4, 1, 3, 2])).toMatchObject({ median: 2.5, min: 1, max: 4, samples: [4, 1, 3, 2] });
    expect(formatSpread(summarize([10, 30, 20]))).toBe('20 (10–30)');
    expect(Number.isNaN(summarize([]).median)).toBe(true);
  });
});

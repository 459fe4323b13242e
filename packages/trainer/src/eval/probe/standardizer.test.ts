import { describe, expect, it } from 'vitest';
import { featureMatrix } from '../features';
import { applyStandardizer, fitStandardizer, layerNormRows, normalizeFeatures } from './standardizer';

describe('feature normalisation', () => {
  const train = featureMatrix([1, 5, 3, 5], 2, 2); // col 0: mean 2 std 1; col 1 constant
  it('standardises with training statistics (constant features keep scale 1)', () => {
    const s = fitStandardizer(train);
    expect(Array.from(s.mean)).toEqual([2, 5]);
    expect(Array.from(s.std)).toEqual([1, 1]);
    expect(Array.from(applyStandardizer(s, featureMatrix([4, 6], 1, 2)).data)).toEqual([2, 1]);
  });
  it('layer-normalises each row', () => {
    const y = layerNormRows(featureMatrix([1, 3, 10, 10], 2, 2));
    expect(y.data[0]).toBeCloseTo(-1, 5);
    expect(y.data[1]).toBeCloseTo(1, 5);
    expect(y.data[2]).toBe(0);
  });
  it('normalises train and test together', () => {
    const { test } = normalizeFeatures('standardize', train, featureMatrix([3, 5], 1, 2));
    expect(Array.from(test!.data)).toEqual([1, 0]);
    expect(normalizeFeatures('none', train).train).toBe(train);
    expect(() => normalizeFeatures('bn' as never, train)).toThrow(/'standardize', 'layernorm' or 'none'/);
  });
});

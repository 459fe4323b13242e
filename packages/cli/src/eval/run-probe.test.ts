import { describe, expect, it } from 'vitest';
import { featureMatrix } from '@terramae/trainer';
import { formatScore, keepFoldableClasses } from './run-probe';

describe('probe helpers', () => {
  it('leaves out classes with fewer samples than folds, keeping row order', () => {
    const x = featureMatrix([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5, 2);
    const kept = keepFoldableClasses(x, Int32Array.from([0, 1, 0, 2, 1]), 2);
    expect(kept.dropped).toEqual([2]);
    expect(Array.from(kept.labels)).toEqual([0, 1, 0, 1]);
    expect(Array.from(kept.features.data)).toEqual([0, 1, 2, 3, 4, 5, 8, 9]);
  });

  it('formats mean ± std over folds', () => {
    expect(formatScore({ mean: 0.7345, std: 0.0412, values: [0.7, 0.77] })).toBe('0.735 ± 0.041 (2 folds)');
  });
});

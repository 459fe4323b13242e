import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '@terramae/testing';
import { checkLabels, featureMatrix, featuresFromTensor, selectLabels, selectRows } from './features';

describe('feature matrices', () => {
  beforeAll(() => useBackend('cpu'));
  it('wraps, selects and reads tensors', async () => {
    const m = featureMatrix([1, 2, 3, 4, 5, 6], 3, 2);
    expect(Array.from(selectRows(m, [2, 0]).data)).toEqual([5, 6, 1, 2]);
    expect(Array.from(selectLabels([7, 8, 9], [2, 0]))).toEqual([9, 7]);
    const t = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const f = await featuresFromTensor(t);
    t.dispose();
    expect([f.rows, f.cols, ...f.data]).toEqual([2, 2, 1, 2, 3, 4]);
  });
  it('rejects mismatched sizes', () => {
    expect(() => featureMatrix([1, 2, 3], 2, 2)).toThrow(/2 rows of 2/);
    expect(() => selectRows(featureMatrix([1, 2], 1, 2), [1])).toThrow(/row 1/);
    expect(() => checkLabels(featureMatrix([1, 2], 1, 2), [0, 1], 'probe')).toThrow(/probe: 1 feature rows but 2 labels/);
  });
});

import * as tf from '@tensorflow/tfjs';
import { useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossValidate } from './cross-validate';
import { confusionTotal } from './metrics/confusion-matrix';
import { knnProbe } from './probe/probe-method';
import { gaussianBlobs } from './__tests__/gaussian-blobs';

describe('crossValidate', () => {
  beforeAll(() => useBackend('cpu'));

  it('scores every sample once and summarises the folds', async () => {
    const before = tf.memory().numTensors;
    const { features, labels } = gaussianBlobs(50, 5, 8, 5, 3);
    const cv = await crossValidate(features, labels, { folds: 5, method: knnProbe({ k: 5 }) });
    expect(cv.method).toBe('knn-5');
    expect(cv.folds).toHaveLength(5);
    expect(confusionTotal(cv.confusion)).toBe(50);
    // every row of the summed confusion matrix holds the 10 samples of its class
    for (let c = 0; c < 5; c++) expect(cv.confusion.counts.slice(c * 5, c * 5 + 5).reduce((a, b) => a + b, 0)).toBe(10);
    expect(cv.accuracy.values).toEqual(cv.folds.map((f) => f.accuracy));
    expect(cv.accuracy.mean).toBeGreaterThan(0.8);
    expect(cv.accuracy.std).toBeGreaterThanOrEqual(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is near chance on random labels', async () => {
    const { features } = gaussianBlobs(60, 2, 4, 0, 4);
    const labels = Int32Array.from({ length: 60 }, (_, i) => (i * 7919) % 3 === 0 ? 1 : 0);
    const cv = await crossValidate(features, labels, { folds: 3, method: 'logistic' });
    expect(cv.accuracy.mean).toBeLessThan(0.85);
  });

  it('explains a split that cannot be made', async () => {
    const { features } = gaussianBlobs(6, 2, 2, 1, 0);
    await expect(crossValidate(features, [0, 0, 0, 0, 0, 1], { folds: 3 })).rejects.toThrow(/class 1 \(1 sample\)/);
  });
});

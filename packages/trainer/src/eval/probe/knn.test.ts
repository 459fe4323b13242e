import * as tf from '@tensorflow/tfjs';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { featureMatrix } from '../features';
import { knnPredict, unitRows } from './knn';

const deg = (a: number) => [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)];

describe.each(testBackends())('knnPredict on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  // Training points on the unit circle (scaled: cosine ignores the norm).
  const angles = [0, 10, 20, 90, 100, 180];
  const labels = [0, 1, 1, 0, 0, 2];
  const train = featureMatrix(angles.flatMap((a, i) => deg(a).map((v) => v * (i + 1))), 6, 2);

  it('majority vote of the k most similar (cosine) training rows', async () => {
    const before = tf.memory().numTensors;
    // query at 5°: nearest are 0° (0), 10° (1), 20° (1) → class 1 by majority
    const q = featureMatrix([...deg(5), ...deg(95)], 2, 2);
    expect(Array.from(await knnPredict(train, labels, q, { k: 3, vote: 'majority', chunkSize: 1 }))).toEqual([1, 0]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('weighted vote with a small temperature follows the nearest neighbour', async () => {
    // at 1°: cos to 0° = 0.99985, to 10° = 0.98769, to 20° = 0.94552; exp(cos/0.01) makes 0° win
    const q = featureMatrix(deg(1), 1, 2);
    expect(Array.from(await knnPredict(train, labels, q, { k: 3, vote: 'weighted', temperature: 0.01 }))).toEqual([0]);
    expect(Array.from(await knnPredict(train, labels, q, { k: 3, vote: 'majority' }))).toEqual([1]);
  });

  it('breaks majority ties by summed similarity', async () => {
    // k = 2 at 3°: 0° (class 0, cos 0.9986) and 10° (class 1, cos 0.9925) tie 1:1 → class 0
    expect(Array.from(await knnPredict(train, labels, featureMatrix(deg(3), 1, 2), { k: 2, vote: 'majority' }))).toEqual([0]);
  });

  it('caps k at the training size and checks its inputs', async () => {
    expect((await knnPredict(train, labels, featureMatrix(deg(180), 1, 2), { k: 100, vote: 'majority' })).length).toBe(1);
    await expect(knnPredict(train, labels, featureMatrix([1, 2, 3], 1, 3))).rejects.toThrow(/2 values, test features 3/);
    await expect(knnPredict(train, labels, featureMatrix(deg(0), 1, 2), { k: 0 })).rejects.toThrow(/k must be/);
  });
});

describe('unitRows', () => {
  it('normalises rows and keeps zero rows', () => {
    expect(Array.from(unitRows(featureMatrix([3, 4, 0, 0], 2, 2)))).toEqual([0.6, 0.8, 0, 0].map((v) => expect.closeTo(v, 6)));
  });
});

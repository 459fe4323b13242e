import * as tf from '@tensorflow/tfjs';
import { useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateProbe, toHost } from './evaluate-probe';
import { confusionTotal } from './metrics/confusion-matrix';
import { gaussianBlobs } from './__tests__/gaussian-blobs';

describe('evaluateProbe', () => {
  beforeAll(() => useBackend('cpu'));

  it('scores a probe on a held-out set with consistent metrics', async () => {
    const train = gaussianBlobs(60, 3, 4, 4, 1);
    const test = gaussianBlobs(30, 3, 4, 4, 2);
    const s = await evaluateProbe(train, test, { method: 'logistic' });
    expect(s.trainSize).toBe(60);
    expect(confusionTotal(s.confusion)).toBe(30);
    expect(s.accuracy).toBeGreaterThan(0.8);
    expect(s.macroF1).toBeGreaterThan(0.8);
  });

  it('accepts tensors without disposing them', async () => {
    const f = tf.tensor2d([1, 0, 0, 1, 1, 0.1, 0.1, 1], [4, 2]);
    const l = tf.tensor1d([0, 1, 0, 1], 'int32');
    const host = await toHost({ features: f, labels: l }, 'test');
    expect(Array.from(host.labels)).toEqual([0, 1, 0, 1]);
    const s = await evaluateProbe({ features: f, labels: l }, { features: f, labels: l }, { method: 'knn' });
    expect(s.accuracy).toBe(1);
    expect(f.isDisposed).toBe(false);
    tf.dispose([f, l]);
  });

  it('rejects non-integer labels and mismatched counts', async () => {
    const { features } = gaussianBlobs(4, 2, 2, 1, 0);
    await expect(toHost({ features, labels: [0, 1, 0.5, 1] }, 'here')).rejects.toThrow(/here: label 0.5 of sample 2/);
    await expect(toHost({ features, labels: [0, 1] }, 'here')).rejects.toThrow(/4 feature rows but 2 labels/);
  });
});

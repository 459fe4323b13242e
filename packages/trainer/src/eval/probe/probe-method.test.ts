import * as tf from '@tensorflow/tfjs';
import { Rng } from '@terramae/tensors';
import { useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { featureMatrix } from '../features';
import { knnProbe, logisticProbe, resolveProbeMethod } from './probe-method';

function data(n: number, seed: number) {
  const rng = new Rng(seed);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
  // feature 0 carries the class (scaled by 1000: standardisation must handle it), feature 1 is noise
  const x = featureMatrix(Array.from(labels).flatMap((y) => [1000 * (y * 2 - 1 + 0.3 * rng.normal()), rng.normal()]), n, 2);
  return { x, labels };
}

describe('probe methods', () => {
  beforeAll(() => useBackend('cpu'));

  it('logistic probe predicts held-out rows, with a fixed l2 or one picked by inner CV', async () => {
    const before = tf.memory().numTensors;
    const tr = data(40, 1);
    const te = data(20, 2);
    for (const probe of [logisticProbe(), logisticProbe({ l2: [1e-3, 1e-1, 10] }), logisticProbe({ norm: 'layernorm' })]) {
      const pred = await probe.fitPredict(tr.x, tr.labels, te.x, 2);
      const acc = pred.filter((p, i) => p === te.labels[i]).length / 20;
      expect(acc).toBeGreaterThanOrEqual(0.9);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('picks l2 with fewer inner folds on small classes, and explains when it cannot', async () => {
    const tr = data(6, 1); // 3 per class → 3 inner folds at most
    const te = data(4, 2);
    const pred = await logisticProbe({ l2: [0.01, 1], innerFolds: 5 }).fitPredict(tr.x, tr.labels, te.x, 2);
    expect(pred.length).toBe(4);
    const one = data(2, 1);
    expect(() => logisticProbe({ l2: [0.01, 1] }).fitPredict(one.x, one.labels, te.x, 2)).toThrow(/pass a single l2/);
  });

  it('knn probe', async () => {
    const tr = data(40, 1);
    const te = data(20, 2);
    const probe = knnProbe({ k: 5, norm: 'standardize' });
    expect(probe.name).toBe('knn-5');
    const pred = await probe.fitPredict(tr.x, tr.labels, te.x, 2);
    expect(pred.filter((p, i) => p === te.labels[i]).length).toBeGreaterThanOrEqual(18);
  });

  it('resolves names and rejects others', () => {
    expect(resolveProbeMethod('knn').name).toBe('knn-20');
    expect(resolveProbeMethod(undefined).name).toBe('logistic');
    expect(() => resolveProbeMethod('svm' as never)).toThrow(/'logistic', 'knn' or a ProbeMethod/);
  });
});

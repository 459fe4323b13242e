import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { testBackends, useBackend } from '@terramae/testing';
import { MASKED_LOGIT, keyPaddingBias } from './attention-bias';
import { scaledDotProductAttention } from './scaled-dot-product-attention';

/** softmax(q kᵀ · s + bias) v in plain JS for one [n, hd] head. */
function naive(q: number[][], k: number[][], v: number[][], disabled: boolean[]): number[][] {
  const s = 1 / Math.sqrt(q[0]!.length);
  return q.map((qi) => {
    const logits = k.map((kj, j) => (disabled[j] ? -Infinity : qi.reduce((a, x, t) => a + x * kj[t]!, 0) * s));
    const m = Math.max(...logits);
    const w = logits.map((z) => Math.exp(z - m));
    const z = w.reduce((a, b) => a + b, 0);
    return v[0]!.map((_, t) => v.reduce((a, vj, j) => a + (w[j]! / z) * vj[t]!, 0));
  });
}

for (const backend of testBackends()) {
  describe(`scaledDotProductAttention on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    it('matches softmax(q·kᵀ/√hd)·v per head, with -inf semantics for disabled keys', () => {
      const before = tf.memory().numTensors;
      const [b, h, n, hd] = [2, 3, 5, 4];
      tf.tidy(() => {
        const q = tf.randomNormal([b * h, n, hd], 0, 1, 'float32', 1) as tf.Tensor3D;
        const k = tf.randomNormal([b * h, n, hd], 0, 1, 'float32', 2) as tf.Tensor3D;
        const v = tf.randomNormal([b * h, n, hd], 0, 1, 'float32', 3) as tf.Tensor3D;
        const keyMask = tf.tensor2d([[0, 1, 0, 0, 1], [0, 0, 0, 1, 0]]);
        const out = scaledDotProductAttention(q, k, v, h, keyPaddingBias(keyMask)).arraySync();
        const [qa, ka, va] = [q.arraySync(), k.arraySync(), v.arraySync()];
        const km = keyMask.arraySync();
        for (let i = 0; i < b * h; i++) {
          const ref = naive(qa[i]!, ka[i]!, va[i]!, km[Math.floor(i / h)]!.map((x) => x === 1));
          ref.forEach((row, r) => row.forEach((x, t) => expect(out[i]![r]![t]).toBeCloseTo(x, 5)));
        }
      });
      expect(tf.memory().numTensors).toBe(before);
    });

    it('a row whose keys are all disabled stays finite, forward and backward', () => {
      tf.tidy(() => {
        const q = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 4) as tf.Tensor3D;
        const bias = keyPaddingBias(tf.ones([2, 3]) as tf.Tensor2D);
        const f = (x: tf.Tensor) => scaledDotProductAttention(x as tf.Tensor3D, x as tf.Tensor3D, x as tf.Tensor3D, 1, bias).square().sum();
        const { value, grad } = tf.valueAndGrad(f)(q);
        expect(Number.isFinite(value.dataSync()[0])).toBe(true);
        expect([...grad.dataSync()].every(Number.isFinite)).toBe(true);
      });
    });

    it('keyPaddingBias is MASKED_LOGIT on disabled keys and 0 elsewhere, shaped [B, 1, 1, N]', () => {
      tf.tidy(() => {
        const bias = keyPaddingBias(tf.tensor2d([[1, 0, 0]]));
        expect(bias.shape).toEqual([1, 1, 1, 3]);
        expect([...bias.dataSync()].map((v) => v + 0)).toEqual([MASKED_LOGIT, 0, 0]);
      });
    });
  });
}

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { testBackends, useBackend } from '@terramae/testing';
import { conv2d, depthwiseConv2d, gatherTokens, patchConv2d, grn, gelu, layerNorm, resampleAxisAligned, avgPoolExcludePad, stopGradient } from './index';

for (const backend of testBackends()) {
  describe(`ops smoke on ${backend}`, () => {
    beforeAll(() => useBackend(backend));
    it('conv2d and patchConv2d match native conv, and train', () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
        const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
        const native = backend === 'cpu' ? tf.conv2d(x, w, 1, 'same') : null;
        const mine = conv2d(x, w, undefined, 'same');
        if (native) expect(tf.max(tf.abs(native.sub(mine))).dataSync()[0]).toBeLessThan(1e-4);
        const w2 = tf.randomNormal([2, 2, 3, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
        const p = patchConv2d(x, w2);
        expect(p.shape).toEqual([2, 4, 4, 4]);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => conv2d(a as tf.Tensor4D, b as tf.Tensor4D).square().sum())([x, w]);
        expect(g[1]!.shape).toEqual([3, 3, 3, 4]);
        const wd = tf.randomNormal([7, 7, 3, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
        const gd = tf.grads((a: tf.Tensor, b: tf.Tensor) => depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D).square().sum())([x, wd]);
        expect(gd[1]!.shape).toEqual([7, 7, 3, 1]);
        const tok = tf.randomNormal([2, 5, 3]) as tf.Tensor3D;
        const ids = tf.tensor2d([[4, 0], [1, 1]], [2, 2], 'int32');
        const gt = tf.grad((a: tf.Tensor) => gatherTokens(a as tf.Tensor3D, ids).sum())(tok);
        expect(Array.from(gt.sum(2).dataSync())).toEqual([3, 0, 0, 0, 3, 0, 6, 0, 0, 0]);
        const gm = tf.ones([3]) as tf.Tensor1D;
        const y = grn(gelu(layerNorm(x, gm, tf.zeros([3]) as tf.Tensor1D, 1e-6)) as tf.Tensor4D, gm, gm, { eps: 1e-6 });
        expect(y.shape).toEqual([2, 8, 8, 3]);
        const r = resampleAxisAligned(x, tf.ones([2, 2]) as tf.Tensor2D, tf.zeros([2, 2]) as tf.Tensor2D);
        expect(tf.max(tf.abs(r.sub(x))).dataSync()[0]).toBeLessThan(1e-5);
        const ap = avgPoolExcludePad(tf.ones([1, 5, 5, 1]) as tf.Tensor4D, 3);
        expect(tf.max(tf.abs(ap.sub(1))).dataSync()[0]).toBeLessThan(1e-6);
        const sg = tf.grad((a: tf.Tensor) => stopGradient(a).mul(a).sum())(tok);
        expect(tf.max(tf.abs(sg.sub(tok))).dataSync()[0]).toBeLessThan(1e-6);
      });
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}

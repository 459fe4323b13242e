import * as tf from '@tensorflow/tfjs';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageCrossEntropy, imageMse } from './image-losses';
import { fcmaePixelCrossEntropy } from './pixel-ce-loss';
import { fcmaePixelMseLoss } from './pixel-mse-loss';

for (const backend of testBackends()) {
  describe(`MMEarth losses (${backend})`, () => {
    beforeAll(() => useBackend(backend));

    it('pixel MSE: per-patch mean over non-NaN, mean over hidden patches with non-zero loss, finite gradients', () => {
      const before = tf.memory().numTensors;
      // 1 image, 2×2 px, p = 1, 2 channels → 4 patches of 2 values.
      const target = tf.tensor4d([1, NaN, 0, 0, 2, 2, NaN, NaN], [1, 2, 2, 2]);
      const pred = tf.tidy(() => tf.variable(tf.tensor3d([0, 5, 0, 0, 0, 0, 1, 1], [1, 4, 2])));
      const mask = tf.tensor2d([[1, 1, 1, 1]]);
      const { value, grads } = tf.variableGrads(() => fcmaePixelMseLoss(pred as unknown as tf.Tensor3D, target, mask, 1), [pred]);
      // patch0: (0−1)² over 1 valid = 1; patch1: 0 → excluded from count; patch2: 4; patch3: all NaN → excluded
      expect(value.dataSync()[0]).toBeCloseTo((1 + 4) / 2, 6);
      const g = Array.from(grads[pred.name]!.dataSync());
      expect(g.every(Number.isFinite)).toBe(true);
      expect(g[1]).toBe(0); // NaN target element
      expect(g[6]).toBe(0);
      expect(g[0]).toBeCloseTo((2 * (0 - 1)) / 1 / 2, 6);
      tf.dispose([value, ...Object.values(grads), pred, target, mask]);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('pixel MSE: masked vs all patches, norm-pix with unbiased variance', () => {
      const target = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
      const pred = tf.zeros([1, 1, 4]) as tf.Tensor3D;
      const mask = tf.tensor2d([[0]]);
      // p = 2 → one patch, not hidden: masked loss is 0 (no patch counts), all-patches loss is the mean
      expect(tf.tidy(() => fcmaePixelMseLoss(pred, target, mask, 2).dataSync()[0])).toBe(0);
      expect(tf.tidy(() => fcmaePixelMseLoss(pred, target, mask, 2, { patches: 'all' }).dataSync()[0])).toBeCloseTo(7.5, 5);
      // normalised target has unbiased variance 1 → mean square = (n−1)/n·(1/(1+eps·…)) ≈ 0.75
      expect(tf.tidy(() => fcmaePixelMseLoss(pred, target, mask, 2, { patches: 'all', normPix: true }).dataSync()[0])).toBeCloseTo(0.75, 4);
      tf.dispose([target, pred, mask]);
    });

    it('pixel CE: [N, L, p², K] layout, ignore label, hidden patches only', () => {
      // 1 image 2×2, p = 2 → 1 patch of 4 pixels, K = 2; logits class-fastest per pixel
      const logits = tf.tensor3d([[[0, 0, 2, 0, 0, 2, 0, 0]]]);
      const labels = tf.tensor3d([[[0, 0], [1, -1]]], [1, 2, 2], 'int32');
      const mask = tf.tensor2d([[1]]);
      const ce = tf.tidy(() => fcmaePixelCrossEntropy(logits as tf.Tensor3D, labels, mask, 2, 2).dataSync()[0]);
      const l2 = Math.log(2);
      const lse = Math.log(Math.exp(2) + 1);
      expect(ce).toBeCloseTo((l2 + (lse - 2) + (lse - 2)) / 3, 5);
      tf.dispose([logits, labels, mask]);
    });

    it('image CE and MSE over every sample, NaN targets skipped', () => {
      const pred = tf.tensor2d([[1, 0], [0, 1]]);
      const lab = tf.tensor1d([0, 0], 'int32');
      const lse = Math.log(Math.E + 1);
      expect(tf.tidy(() => imageCrossEntropy(pred, lab).dataSync()[0])).toBeCloseTo(((lse - 1) + (lse - 0)) / 2, 5);
      const t = tf.tensor2d([[1, NaN], [0, 3]]);
      expect(tf.tidy(() => imageMse(pred, t).dataSync()[0])).toBeCloseTo((0 + 0 + 4) / 3, 6);
      tf.dispose([pred, lab, t]);
    });
  });
}

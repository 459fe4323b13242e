import * as tf from '@tensorflow/tfjs';
import { createMaskingStrategy, disposeMask } from '@terramae/masking';
import { Rng, disposeBatch, patchify } from '@terramae/tensors';
import { unpatchifyPixelPrediction } from '../tasks/mmearth/pixel-mse-loss';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import '../register-builtins';
import { FakeGridBackbone } from '../__tests__/fake-backbones';
import { tinyBatch, tinySpecs } from '../__tests__/synthetic-batch';
import { mmearthTasks } from '../tasks/mmearth/mmearth-tasks';
import { buildPretrainingModel } from './pretraining-model';

for (const backend of testBackends()) {
  describe(`PretrainingModel.predict (${backend})`, () => {
    beforeAll(() => useBackend(backend));

    it('returns dense predictions per pixel task in target space, without leaks', () => {
      const model = buildPretrainingModel({
        backbone: new FakeGridBackbone(4, 6, 4, 1),
        masking: createMaskingStrategy('fcmae', { ratio: 0.5 }),
        tasks: mmearthTasks('pix', { decoder: { dim: 8 } }),
        inputModality: 'sentinel2',
        specs: tinySpecs(),
        inputSize: [16, 16],
        rng: new Rng(3),
      });
      const batch = tinyBatch(2, 16, 5);
      const mask = model.sampleMask(batch, new Rng(9));
      const before = tf.memory().numTensors;
      const preds = model.predict(batch, mask);
      expect(Object.keys(preds)).toEqual(['sentinel2', 'sentinel1', 'aster', 'dynamic_world', 'canopy_height_eth', 'esa_worldcover']);
      expect(preds.sentinel2!.shape).toEqual([2, 16, 16, 4]);
      expect(preds.dynamic_world!.shape).toEqual([2, 16, 16]);
      expect(preds.dynamic_world!.dtype).toBe('int32');
      const classes = Array.from(preds.esa_worldcover!.dataSync());
      expect(Math.min(...classes)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...classes)).toBeLessThan(11);

      const created = tf.memory().numTensors - before;
      expect(created).toBe(Object.keys(preds).length);
      tf.dispose(Object.values(preds));
      disposeMask(mask);
      disposeBatch(batch);
      model.dispose();
    });

    it('undoes per-patch normalisation with the target\'s own statistics', () => {
      tf.tidy(() => {
        const target = tf.randomNormal([1, 8, 8, 3], 2, 3, 'float32', 1) as tf.Tensor4D;
        const raw = tf.randomNormal([1, 4, 4 * 4 * 3], 0, 1, 'float32', 2) as tf.Tensor3D;
        const image = unpatchifyPixelPrediction(raw, target, 4, { normPix: true, eps: 1e-6 });
        const t = patchify(target, 4);
        const mean = t.mean(-1, true);
        const std = t.sub(mean).square().sum(-1, true).div(4 * 4 * 3 - 1).add(1e-6).sqrt();
        const back = patchify(image, 4).sub(mean).div(std);
        expect(tf.max(tf.abs(back.sub(raw))).dataSync()[0]).toBeLessThan(1e-4);
        const plain = unpatchifyPixelPrediction(raw, target, 4);
        expect(tf.max(tf.abs(patchify(plain, 4).sub(raw))).dataSync()[0]).toBe(0);
      });
    });
  });
}

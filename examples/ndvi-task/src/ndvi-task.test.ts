// Runs in CI from @terramae/pretext's suite (packages/pretext/src/ndvi-example.test.ts imports this file).
import * as tf from '@tensorflow/tfjs';
import { ConvNeXtV2 } from '@terramae/backbones';
import { createMaskingStrategy, disposeMask } from '@terramae/masking';
import { RecipeValidationError, buildPretrainingModel, createPretextTask, getPretextTask, mmearthTasks } from '@terramae/pretext';
import { Rng, disposeBatch, type Batch, type ModalitySpec } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ndvi } from './index';

const specs: Record<string, ModalitySpec> = {
  sentinel2: { name: 'sentinel2', level: 'pixel', kind: 'continuous', bands: ['B2', 'B3', 'B4', 'B8'] },
};

function batch(seed: number): Batch {
  const rng = new Rng(seed);
  const x = tf.tensor4d(Float32Array.from({ length: 2 * 16 * 16 * 4 }, () => 0.05 + rng.uniform() * 0.4), [2, 16, 16, 4]);
  return { size: 2, views: 1, modalities: { sentinel2: x }, specs, indices: [0, 1] };
}

for (const backend of testBackends()) {
  describe(`example plugin: ndvi-regression (${backend})`, () => {
    beforeAll(() => useBackend(backend));

    it('is registered by importing the plugin', () => {
      expect(getPretextTask('ndvi-regression').level).toBe('pixel');
    });

    it('computes NDVI', () => {
      const x = tf.tensor4d([0.1, 0, 0, 0.3], [1, 1, 1, 4]);
      expect(tf.tidy(() => ndvi(x, 0, 3).dataSync()[0])).toBeCloseTo(0.5, 6);
      x.dispose();
    });

    it('trains next to MMEarth reconstruction, sharing its decoder', () => {
      const tiny = { dim: 8, depth: 1 };
      const model = buildPretrainingModel({
        backbone: new ConvNeXtV2({ depths: [1, 1, 1, 1], dims: [8, 8, 8, 8], inChannels: 4, patchSize: 8 }),
        masking: createMaskingStrategy('fcmae', { ratio: 0.6 }),
        tasks: [...mmearthTasks('s2', { decoder: tiny }), createPretextTask('ndvi-regression', { redBand: 'B4', nirBand: 'B8', decoder: tiny })],
        aggregator: { name: 'uncertainty' },
        inputModality: 'sentinel2',
        specs,
        inputSize: [16, 16],
        rng: new Rng(0),
      });
      expect(model.namedParameters().map((p) => p.name)).toContain('heads.ndvi-regression.weight');
      const b = batch(1);
      const mask = model.sampleMask(b, new Rng(2));
      const before = tf.memory().numTensors;
      const head = model.trainableVariables().get('heads.ndvi-regression.weight')!;
      const { value, grads } = tf.variableGrads(() => model.computeLoss(b, mask).total);
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      expect(tf.tidy(() => grads[head.name]!.abs().max().dataSync()[0])).toBeGreaterThan(0);
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      disposeMask(mask);
      disposeBatch(b);
      model.dispose();
    });

    it('rejects an input without the bands, before building anything', () => {
      expect(() =>
        buildPretrainingModel({
          backbone: { layout: 'grid', inChannels: 4, patchSize: 8, dim: 8, outputGrid: (h: number, w: number) => [h / 8, w / 8] } as never,
          masking: createMaskingStrategy('fcmae'),
          tasks: [createPretextTask('ndvi-regression', { nirBand: 'B8A' })],
          inputModality: 'sentinel2',
          specs,
          inputSize: [16, 16],
          rng: new Rng(0),
        }),
      ).toThrow(RecipeValidationError);
    });
  });
}

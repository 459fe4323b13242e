import * as tf from '@tensorflow/tfjs';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { visiblePixels } from './pixel-visibility';

describe('visiblePixels', () => {
  for (const backend of testBackends()) {
    describe(backend, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });

      it('repeats 1 − mask over each p×p patch, row-major over a non-square grid', async () => {
        const mask = tf.tensor2d([[1, 0, 1, 1, 1, 0]]); // grid 2×3
        const before = tf.memory().numTensors;
        const v = visiblePixels(mask, [2, 3], 2);
        expect(v.shape).toEqual([1, 4, 6, 1]);
        const flat = v.reshape([4, 6]);
        expect(await flat.array()).toEqual([
          [0, 0, 1, 1, 0, 0],
          [0, 0, 1, 1, 0, 0],
          [0, 0, 0, 0, 1, 1],
          [0, 0, 0, 0, 1, 1],
        ]);
        tf.dispose([v, flat]);
        expect(tf.memory().numTensors).toBe(before);
        mask.dispose();
      });

      it('names a grid that does not match the mask', () => {
        const mask = tf.zeros([1, 5]) as tf.Tensor2D;
        expect(() => visiblePixels(mask, [2, 3], 2)).toThrow(/grid 2×3/);
        mask.dispose();
      });
    });
  }
});

import * as tf from '@tensorflow/tfjs';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { nearestIndex, upsampleMask, visibilityMap, visibilityValues } from './visibility';

describe('nearestIndex', () => {
  it('block-repeats for integer factors and floors otherwise', () => {
    expect([...nearestIndex(2, 4)]).toEqual([0, 0, 1, 1]);
    expect([...nearestIndex(3, 4)]).toEqual([0, 0, 1, 2]);
  });
});

for (const backend of testBackends()) {
  describe(`visibility maps (${backend})`, () => {
    beforeAll(() => useBackend(backend));
    it('upsamples a grid mask to any resolution, host and tensor versions agree', () => {
      const before = tf.memory().numTensors;
      const values = Uint8Array.from([1, 0, 0, 1, 0, 1, 1, 0]);
      const mask = tf.tensor2d(Float32Array.from(values), [2, 4]);
      const up = upsampleMask(mask, [2, 2], [4, 4]);
      expect(up.shape).toEqual([2, 4, 4, 1]);
      expect(tf.tidy(() => (up.squeeze([3]) as tf.Tensor3D).arraySync())[0]).toEqual([
        [1, 1, 0, 0],
        [1, 1, 0, 0],
        [0, 0, 1, 1],
        [0, 0, 1, 1],
      ]);
      const vis = visibilityMap(mask, [2, 2], [6, 6]);
      expect([...vis.dataSync()]).toEqual([...visibilityValues(values, 2, [2, 2], [6, 6])]);
      expect(tf.tidy(() => vis.sum().arraySync())).toBe(36);
      tf.dispose([mask, up, vis]);
      expect(tf.memory().numTensors).toBe(before);
    });
    it('rejects a grid that does not fit the mask', () => {
      const mask = tf.zeros([1, 4]) as tf.Tensor2D;
      expect(() => upsampleMask(mask, [3, 3], [6, 6])).toThrow(/grid 3×3/);
      mask.dispose();
    });
  });
}

import * as tf from '@tensorflow/tfjs';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConvNeXtV2InputError } from './errors';
import { buildVisibility, disposeVisibility } from './visibility';

for (const backend of testBackends()) {
  describe(`buildVisibility on ${backend}`, () => {
    beforeAll(async () => useBackend(backend));

    it('repeats the patch mask to pixels and pools it to every stage (patch 16, stem stride 2)', async () => {
      // 32×32 px at patch 16: a 2×2 grid; sample 0 hides cell (0,1), sample 1 hides (1,0) and (1,1).
      const x = tf.ones([2, 32, 32, 3]) as tf.Tensor4D;
      const mask = tf.tensor2d([[0, 1, 0, 0], [0, 0, 1, 1]]);
      const before = tf.memory().numTensors;
      const v = buildVisibility(x, mask, { patchSize: 16, stemStride: 2, dropZeroPixels: true });
      expect(v.pixels.shape).toEqual([2, 32, 32, 1]);
      expect(v.stages.map((s) => s.shape.slice(1, 3))).toEqual([[16, 16], [8, 8], [4, 4], [2, 2]]);
      expect(Array.from(await v.stages[3]!.data())).toEqual([1, 0, 1, 1, 1, 1, 0, 0]);
      const px = await v.pixels.data();
      expect(px[0 * 32 + 15]).toBe(1);
      expect(px[0 * 32 + 16]).toBe(0);
      expect(px[31 * 32 + 31]).toBe(1);
      const counts = v.stages[0]!.sum([1, 2, 3]);
      expect(Array.from(await counts.data())).toEqual([3 * 64, 2 * 64]);
      counts.dispose();
      disposeVisibility(v);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, mask]);
    });

    it('drops all-zero pixels as to_sparse, and a cell only when its whole window is absent', async () => {
      const data = new Float32Array(1 * 16 * 16 * 2).fill(1);
      // Zero every band of the 8×8 block at rows 0..7, cols 8..15 (one whole patch), and one lone pixel (9, 3).
      for (let r = 0; r < 8; r++) for (let c = 8; c < 16; c++) data.fill(0, (r * 16 + c) * 2, (r * 16 + c) * 2 + 2);
      data[(9 * 16 + 3) * 2] = 0;
      data[(9 * 16 + 3) * 2 + 1] = 0;
      const x = tf.tensor4d(data, [1, 16, 16, 2]);
      const mask = tf.zeros([1, 4]) as tf.Tensor2D;
      const v = buildVisibility(x, mask, { patchSize: 8, stemStride: 1, dropZeroPixels: true });
      const px = await v.pixels.data();
      expect(px[9 * 16 + 3]).toBe(0);
      expect(px[9 * 16 + 4]).toBe(1);
      expect(Array.from(await v.stages[3]!.data())).toEqual([1, 0, 1, 1]);
      // Stage 1 (2×2 windows of pixels): the window holding the lone zero pixel stays active.
      expect((await v.stages[1]!.data())[4 * 8 + 1]).toBe(1);
      const keep = buildVisibility(x, mask, { patchSize: 8, stemStride: 1, dropZeroPixels: false });
      expect(Array.from(await keep.stages[3]!.data())).toEqual([1, 1, 1, 1]);
      disposeVisibility(v);
      disposeVisibility(keep);
      tf.dispose([x, mask]);
    });

    it('names the expected mask shape when it does not fit', () => {
      const x = tf.zeros([2, 24, 16, 1]) as tf.Tensor4D;
      const bad = tf.zeros([2, 5]) as tf.Tensor2D;
      expect(() => buildVisibility(x, bad, { patchSize: 8, stemStride: 1, dropZeroPixels: false })).toThrow(/expected \[2, 6\].*3×2 patch grid/);
      expect(() => buildVisibility(x, bad, { patchSize: 16, stemStride: 2, dropZeroPixels: false })).toThrow(ConvNeXtV2InputError);
      tf.dispose([x, bad]);
    });
  });
}

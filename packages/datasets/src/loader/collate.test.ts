import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeBatch } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { collate, checkExample } from './collate';
import { TOY_SPECS, toySample } from '../__tests__/toy';
import type { MultiViewSample } from './source';
import { BadSampleError } from '../errors';

for (const backend of testBackends()) {
  describe(`collate (${backend})`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    it('produces the Batch contract layouts and leaks nothing', async () => {
      const before = tf.memory().numTensors;
      const batch = collate([toySample(0), toySample(1), toySample(2)], TOY_SPECS);
      expect(batch.size).toBe(3);
      expect(batch.views).toBe(1);
      expect(batch.modalities.s2!.shape).toEqual([3, 8, 8, 3]);
      expect(batch.modalities.s2!.dtype).toBe('float32');
      expect(batch.modalities.lc!.shape).toEqual([3, 8, 8]);
      expect(batch.modalities.lc!.dtype).toBe('int32');
      expect(batch.modalities.era!.shape).toEqual([3, 2]);
      expect(batch.modalities.biome!.shape).toEqual([3]);
      expect(batch.modalities.biome!.dtype).toBe('int32');
      expect(batch.boxes!.shape).toEqual([3, 1, 4]);
      expect(batch.boxValues).toEqual(await batch.boxes!.array());
      expect(Array.from(await batch.labels!.data())).toEqual([0, 1, 2]);
      expect(batch.indices).toEqual([0, 1, 2]);
      const s2 = await batch.modalities.s2!.data();
      // sample 1, pixel (y=2, x=3) → p = 19, channel 2
      expect(s2[((1 * 8 + 2) * 8 + 3) * 3 + 2]).toBe(1000 + 190 + 2);
      expect(Array.from(await batch.modalities.era!.data())).toEqual([0, -0, 1, -1, 2, -2]);
      disposeBatch(batch);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('lays multi-view examples out view-major with boxes [B, V, 4]', async () => {
      const before = tf.memory().numTensors;
      const pair = (k: number): MultiViewSample => ({ index: k, views: [toySample(2 * k), toySample(2 * k + 1)], meta: { label: k } });
      const batch = collate([pair(0), pair(1)], TOY_SPECS);
      expect(batch.views).toBe(2);
      expect(batch.size).toBe(2);
      expect(batch.modalities.s2!.shape).toEqual([4, 8, 8, 3]);
      const first = await batch.modalities.s2!.data();
      // order: sample0 view0 (toy0), sample0 view1 (toy1), sample1 view0 (toy2), sample1 view1 (toy3)
      for (let v = 0; v < 4; v++) expect(first[v * 192]).toBe(1000 * v);
      const boxes = await batch.boxes!.array();
      expect(boxes[1]![1]).toEqual([240, 80, 320, 0]);
      // host copy for masking strategies that read boxes without a readback (NeighborMAE's IoU ratio)
      expect(batch.boxValues).toEqual(boxes);
      expect(Array.from(await batch.labels!.data())).toEqual([0, 1]);
      disposeBatch(batch);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('rejects mismatched shapes (naming the example) without leaking, and views without boxes', () => {
      const before = tf.memory().numTensors;
      expect(() => collate([toySample(0), toySample(1, 6)], TOY_SPECS)).toThrow(/"s2" of example 1 has shape \[6, 6, 3\], the batch has \[8, 8, 3\]/);
      expect(tf.memory().numTensors).toBe(before);
      const noBox: MultiViewSample = { index: 0, views: [toySample(0, 8, false), toySample(1, 8, false)] };
      expect(() => collate([noBox], TOY_SPECS)).toThrow(/need a footprint box on every view/);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}

describe('checkExample', () => {
  it('flags a missing modality as a bad sample naming the file', () => {
    const s = toySample(4);
    const { era: _era, ...rest } = s.modalities;
    expect(() => checkExample({ ...s, modalities: rest }, TOY_SPECS, 'tiles.h5, sample 4')).toThrow(BadSampleError);
    expect(() => checkExample({ ...s, modalities: rest }, TOY_SPECS, 'tiles.h5, sample 4')).toThrow(
      /missing-modality\) at tiles\.h5, sample 4: modality "era" is missing/,
    );
    expect(() => checkExample({ ...s, modalities: rest }, TOY_SPECS)).toThrow(/at sample 4: modality "era"/);
  });
});

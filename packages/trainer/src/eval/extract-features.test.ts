import * as tf from '@tensorflow/tfjs';
import { ConvNeXtV2 } from '@terramae/backbones';
import { disposeBatch, type Batch } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { labelledImageBatches } from './__tests__/batches';
import { extractFeatures, inputModalityOf } from './extract-features';

const tiny = () => new ConvNeXtV2({ depths: [1, 1, 1, 1], dims: [8, 8, 16, 16], inChannels: 3, patchSize: 8, dropPathRate: 0.5, seed: 1 });

describe.each(testBackends())('extractFeatures on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('computes eval-mode pooled features batch by batch, releases batches and restores the mode', async () => {
    const model = tiny();
    const before = tf.memory().numTensors;
    const batches = labelledImageBatches({ n: 5, batchSize: 2, size: 16, channels: 3, classes: 2, seed: 3 });
    // The reference: one eval-mode forward over the whole set.
    const all = tf.concat(batches.map((b) => b.modalities.sentinel2 as tf.Tensor4D));
    model.eval();
    const ref = tf.tidy(() => model.forwardFeatures(all).pooled);
    const refData = await ref.data();
    tf.dispose([all, ref]);
    model.train();

    async function* stream() {
      for (const b of batches) yield b;
    }
    const out = await extractFeatures(model, stream());
    expect(model.training).toBe(true);
    expect([out.features.rows, out.features.cols]).toEqual([5, 16]);
    expect(Array.from(out.labels!)).toEqual([0, 1, 0, 1, 0]);
    expect(out.indices).toEqual([0, 1, 2, 3, 4]);
    for (let i = 0; i < refData.length; i++) expect(out.features.data[i]).toBeCloseTo(refData[i]!, 4);
    expect(tf.memory().numTensors).toBe(before); // batches disposed, nothing leaked
    model.dispose();
  });

  it('takes a function, keeps batches on request, truncates at a limit', async () => {
    const batches = labelledImageBatches({ n: 4, batchSize: 2, size: 4, channels: 2, classes: 2, seed: 1 });
    const out = await extractFeatures((b: Batch) => (b.modalities.sentinel2 as tf.Tensor4D).mean([1, 2]) as tf.Tensor2D, batches, { keepBatches: true, limit: 3 });
    expect(out.features.rows).toBe(3);
    expect(out.labels!.length).toBe(3);
    expect(batches[1]!.modalities.sentinel2!.isDisposed).toBe(false);
    batches.forEach(disposeBatch);
  });
});

describe('inputModalityOf', () => {
  it('picks sentinel2 or the only pixel modality, else asks', () => {
    const t = tf.zeros([1, 2, 2, 1]);
    const spec = (name: string) => ({ name, level: 'pixel' as const, kind: 'continuous' as const, bands: ['a'] });
    const one = { size: 1, views: 1, modalities: { rgb: t }, specs: { rgb: spec('rgb') }, indices: [0] };
    expect(inputModalityOf(one, undefined, 'x')).toBe('rgb');
    const two = { ...one, modalities: { rgb: t, dem: t }, specs: { rgb: spec('rgb'), dem: spec('dem') } };
    expect(() => inputModalityOf(two, undefined, 'x')).toThrow(/among rgb, dem; pass 'modality'/);
    expect(() => inputModalityOf(two, 's1', 'x')).toThrow(/no modality 's1' \(it has rgb, dem\)/);
    t.dispose();
  });
});

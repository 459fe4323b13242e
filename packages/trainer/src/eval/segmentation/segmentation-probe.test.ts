import * as tf from '@tensorflow/tfjs';
import { ConvNeXtV2 } from '@terramae/backbones';
import { Rng, type Batch } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { confusionTotal } from '../metrics/confusion-matrix';
import { trainSegmentation } from './segmentation-probe';

/** Pixel label = 1 where channel 0 is positive, 0 elsewhere, -1 (ignored) on the first row. */
const B = 3;

function segBatches(seed: number, n = 2): Batch[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, k) => {
    const x = rng.normalArray(B * 16 * 16 * 3);
    const y = new Int32Array(B * 16 * 16).map((_, p) => (p % (16 * 16) < 16 ? -1 : (x[p * 3] as number) > 0 ? 1 : 0));
    return {
      size: B,
      views: 1,
      modalities: { sentinel2: tf.tensor4d(x, [B, 16, 16, 3]), lulc: tf.tensor3d(y, [B, 16, 16], 'int32') },
      specs: {
        sentinel2: { name: 'sentinel2', level: 'pixel', kind: 'continuous', bands: ['a', 'b', 'c'] },
        lulc: { name: 'lulc', level: 'pixel', kind: 'categorical', bands: ['label'], numClasses: 2, ignoreIndex: -1 },
      },
      indices: Array.from({ length: B }, (_, i) => B * k + i),
    };
  });
}

describe.each(testBackends())('trainSegmentation on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('trains the decoder on a frozen backbone, then everything (LP&FT), and scores mIoU', async () => {
    const backbone = new ConvNeXtV2({ depths: [1, 1, 1, 1], dims: [8, 16, 32, 64], inChannels: 3, patchSize: 16, seed: 3 });
    const before = tf.memory().numTensors;
    const frozenWeight = backbone.stateDict()['stages.3.0.pwconv2.weight']!;
    const snapshot = frozenWeight.dataSync().slice();
    let atEpoch1: Float32Array | undefined;
    const seg = await trainSegmentation({
      backbone, numClasses: 2, target: 'lulc', train: (e) => segBatches(e), stepsPerEpoch: 2, epochs: 3, lr: 1e-2, unfreezeAt: 1,
      onEpoch: (r) => {
        if (r.epoch === 0) atEpoch1 = frozenWeight.dataSync().slice() as Float32Array;
      },
    });
    expect(Array.from(atEpoch1!)).toEqual(Array.from(snapshot)); // frozen in epoch 0
    expect(Array.from(frozenWeight.dataSync())).not.toEqual(Array.from(snapshot)); // trained from epoch 1
    expect(seg.history).toHaveLength(3);
    expect(seg.history[2]!.loss).toBeLessThan(seg.history[0]!.loss);
    const score = await seg.evaluate(segBatches(9, 1));
    expect(confusionTotal(score.confusion)).toBe(B * 15 * 16); // the ignored first rows are not counted
    expect(score.meanIoU).toBeGreaterThanOrEqual(0);
    expect(score.meanIoU).toBeLessThanOrEqual(1);
    expect(score.pixelAccuracy).toBeGreaterThan(0.5);
    seg.decoder.dispose();
    expect(tf.memory().numTensors).toBe(before);
    backbone.dispose();
  });

  it('names a missing target', async () => {
    const backbone = new ConvNeXtV2({ depths: [1, 1, 1, 1], dims: [8, 16, 32, 64], inChannels: 3, patchSize: 16 });
    await expect(trainSegmentation({ backbone, numClasses: 2, target: 'dw', train: (e) => segBatches(e, 1), stepsPerEpoch: 1, epochs: 1 })).rejects.toThrow(/no target modality 'dw' \(it has sentinel2, lulc\)/);
    backbone.dispose();
  });
});

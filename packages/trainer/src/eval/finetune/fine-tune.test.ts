import * as tf from '@tensorflow/tfjs';
import { ConvNeXtV2 } from '@terramae/backbones';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { labelledImageBatches } from '../__tests__/batches';
import { confusionTotal } from '../metrics/confusion-matrix';
import { fineTune } from './fine-tune';

const tiny = () => new ConvNeXtV2({ depths: [1, 1, 1, 1], dims: [8, 8, 16, 16], inChannels: 3, patchSize: 8, dropPathRate: 0.1, seed: 2 });
const data = (seed: number) => () => labelledImageBatches({ n: 16, batchSize: 8, size: 8, channels: 3, classes: 2, seed, shift: 1.5 });

describe.each(testBackends())('fineTune on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('trains backbone and head with layer decay; the loss falls; evaluation adds up', async () => {
    const backbone = tiny();
    const before = tf.memory().numTensors;
    const stem0 = backbone.stateDict()['stages.0.0.pwconv1.weight']!.dataSync().slice();
    const seen: number[] = [];
    const ft = await fineTune({ backbone, numClasses: 2, train: data(1), stepsPerEpoch: 2, epochs: 6, lr: 5e-3, labelSmoothing: 0.1, onEpoch: (r) => void seen.push(r.epoch) });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ft.history.at(-1)!.loss).toBeLessThan(ft.history[0]!.loss);
    expect(ft.history.at(-1)!.lr).toBeLessThan(5e-3);
    const after = backbone.stateDict()['stages.0.0.pwconv1.weight']!.dataSync();
    expect(after.some((v, i) => v !== stem0[i])).toBe(true);
    expect(backbone.training).toBe(true);
    const score = await ft.evaluate(data(1)());
    expect(confusionTotal(score.confusion)).toBe(16);
    expect(score.accuracy).toBeGreaterThanOrEqual(0);
    expect(score.accuracy).toBeLessThanOrEqual(1);
    expect(score.samples).toBe(16);
    ft.head.dispose();
    expect(tf.memory().numTensors).toBe(before);
    backbone.dispose();
  });

  it('with a frozen backbone only the head moves', async () => {
    const backbone = tiny();
    const snapshot = Object.fromEntries(Object.entries(backbone.stateDict()).map(([k, v]) => [k, v.dataSync().slice()]));
    const ft = await fineTune({ backbone, numClasses: 2, train: data(2), stepsPerEpoch: 2, epochs: 2, freezeBackbone: true, lr: 1e-2 });
    for (const [k, v] of Object.entries(backbone.stateDict())) expect(Array.from(v.dataSync())).toEqual(Array.from(snapshot[k]!));
    expect(ft.head.stateDict()['head.bias']!.dataSync().some((v) => v !== 0)).toBe(true);
    const { predictions, labels } = await ft.predict(data(3)());
    expect(predictions.length).toBe(16);
    expect(labels!.length).toBe(16);
    ft.head.dispose();
    backbone.dispose();
  });

  it('refuses a backbone that already has a head', async () => {
    const backbone = new ConvNeXtV2({ depths: [1, 1, 1, 1], dims: [4, 4, 4, 4], inChannels: 3, numClasses: 2 });
    await expect(fineTune({ backbone, numClasses: 2, train: data(1), stepsPerEpoch: 1, epochs: 1 })).rejects.toThrow(/already has a parameter 'norm.weight'|'head.weight'/);
    backbone.dispose();
  });
});

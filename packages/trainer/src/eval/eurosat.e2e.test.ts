import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ConvNeXtV2 } from '@terramae/backbones';
import { collate, GeoTiffFolderDataset } from '@terramae/datasets';
import { createMaskingStrategy } from '@terramae/masking';
import { buildPretrainingModel, mmearthTasks } from '@terramae/pretext';
import { Rng, type Batch, type Sample } from '@terramae/tensors';
import { sharedPath, useBackend } from '@terramae/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pretrain } from '../loop/pretrain';
import type { BatchStream } from '../loop/types';
import { AdamW } from '../optim/adamw';
import { constantSchedule } from '../optim/lr-schedule';
import { buildParamGroups } from '../optim/param-groups';
import { crossValidate } from './cross-validate';
import { extractFeatures } from './extract-features';
import { fewShotEvaluate } from './few-shot';
import { confusionTotal } from './metrics/confusion-matrix';
import { knnProbe } from './probe/probe-method';

const root = sharedPath('data', 'eurosat-ms-270');

/** Collated batches over samples, in order (a fresh array of tensors each call). */
function batchesOf(samples: readonly Sample[], specs: Batch['specs'], size: number): Batch[] {
  const out: Batch[] = [];
  for (let s = 0; s < samples.length; s += size) out.push(collate(samples.slice(s, s + size), specs));
  return out;
}

/**
 * End to end on real EuroSAT-MS patches (64 px, 12 MMEarth bands): a tiny ConvNeXt V2 is
 * pretrained for a few FCMAE steps on the training patches, then probed frozen with stratified
 * k-fold logistic regression and k-NN, and few-shot from train to test. The assertions are about
 * the pipeline (finite scores in [0, 1], confusion counts that add up to the split, no leaks);
 * how far above chance it lands is a benchmark result, not a test.
 */
describe.skipIf(!root)('EuroSAT-270 end to end', () => {
  let train: { samples: Sample[]; specs: Batch['specs'] };
  let test: { samples: Sample[]; specs: Batch['specs'] };

  beforeAll(async () => {
    await useBackend('wasm');
    const trainSet = await GeoTiffFolderDataset.open(join(root as string, 'train'), { statsFiles: 64 });
    const testSet = await GeoTiffFolderDataset.open(join(root as string, 'test'), { stats: trainSet.stats ?? 'compute' });
    const read = async (ds: GeoTiffFolderDataset) => ({ samples: await Promise.all(Array.from({ length: ds.length }, (_, i) => ds.get(i))), specs: ds.specs });
    train = await read(trainSet);
    test = await read(testSet);
  });
  afterAll(() => undefined);

  it('pretrains briefly, extracts features, cross-validates and few-shots with sane numbers', async () => {
    const before = tf.memory().numTensors;
    const backbone = new ConvNeXtV2({ depths: [1, 1, 2, 1], dims: [16, 32, 64, 128], inChannels: 12, patchSize: 32, seed: 0 });
    const model = buildPretrainingModel({
      backbone,
      masking: createMaskingStrategy('fcmae', { ratio: 0.6 }),
      tasks: mmearthTasks('s2', { decoder: { dim: 16 } }),
      inputModality: 'sentinel2',
      specs: train.specs,
      inputSize: [64, 64],
      rng: new Rng(1),
    });
    let position = 0;
    const stream: BatchStream = {
      next: async () => collate(train.samples.slice((position * 16) % 208, ((position++ * 16) % 208) + 16), train.specs),
      state: () => ({ position }),
      restore: (s) => void (position = (s as { position: number }).position),
    };
    const optimizer = new AdamW(buildParamGroups(model.trainableVariables(), { weightDecay: 0.05 }), { betas: [0.9, 0.95] });
    const run = await pretrain({ model, data: stream, optimizer, schedule: constantSchedule(1e-3), totalSteps: 2, rng: new Rng(2) });
    optimizer.dispose();
    expect(run.history.every((r) => Number.isFinite(r.loss))).toBe(true);

    const trainFeatures = await extractFeatures(backbone, batchesOf(train.samples, train.specs, 36));
    const testFeatures = await extractFeatures(backbone, batchesOf(test.samples, test.specs, 54));
    model.dispose(); // owns the backbone
    expect(tf.memory().numTensors).toBe(before);

    expect([trainFeatures.features.rows, trainFeatures.features.cols]).toEqual([216, 128]);
    expect(trainFeatures.features.data.every(Number.isFinite)).toBe(true);
    const labels = trainFeatures.labels as Int32Array;
    const perClass = Array.from({ length: 10 }, (_, c) => labels.filter((y) => y === c).length);
    expect(perClass).toEqual([24, 24, 24, 20, 20, 16, 20, 24, 20, 24]);

    for (const method of ['logistic' as const, knnProbe({ k: 10 })]) {
      const cv = await crossValidate(trainFeatures.features, labels, { folds: 4, method, numClasses: 10, seed: 0 });
      expect(cv.folds).toHaveLength(4);
      expect(confusionTotal(cv.confusion)).toBe(216);
      for (let c = 0; c < 10; c++) expect(cv.confusion.counts.slice(c * 10, c * 10 + 10).reduce((a, b) => a + b, 0)).toBe(perClass[c]);
      for (const s of [cv.accuracy, cv.macroF1]) {
        for (const v of [s.mean, s.std, ...s.values]) expect(Number.isFinite(v)).toBe(true);
        expect(s.mean).toBeGreaterThanOrEqual(0);
        expect(s.mean).toBeLessThanOrEqual(1);
      }
      console.log(`EuroSAT-270 ${cv.method} 4-fold: accuracy ${cv.accuracy.mean.toFixed(3)} ± ${cv.accuracy.std.toFixed(3)}, macro-F1 ${cv.macroF1.mean.toFixed(3)}`);
    }

    const fs = await fewShotEvaluate(
      { features: trainFeatures.features, labels },
      { features: testFeatures.features, labels: testFeatures.labels as Int32Array },
      { size: { perClass: 5 }, seeds: 3, method: 'logistic', numClasses: 10 },
    );
    expect(fs.runs.every((r) => r.trainSize === 50 && confusionTotal(r.confusion) === 54)).toBe(true);
    expect(fs.accuracy.mean).toBeGreaterThanOrEqual(0);
    expect(fs.accuracy.mean).toBeLessThanOrEqual(1);
    console.log(`EuroSAT-270 5-shot logistic: accuracy ${fs.accuracy.mean.toFixed(3)} ± ${fs.accuracy.std.toFixed(3)}`);
  });
});

import * as tf from '@tensorflow/tfjs';
import { useBackend } from '@terramae/testing';
import type { Batch } from '@terramae/tensors';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from '../../optim/adamw';
import { constantSchedule } from '../../optim/lr-schedule';
import { runSupervisedEpochs } from './supervised-loop';

const batch = (v: number): Batch => ({ size: 1, views: 1, modalities: { x: tf.tensor2d([[v]]) }, specs: {}, indices: [v] });

describe('runSupervisedEpochs', () => {
  beforeAll(() => useBackend('cpu'));

  it('minimises the loss, counts iterations across epochs, releases batches', async () => {
    const w = tf.variable(tf.scalar(3));
    const opt = new AdamW(new Map([['w', w]]), { weightDecay: 0 });
    const before = tf.memory().numTensors;
    const lrs: number[] = [];
    const made: Batch[] = [];
    const history = await runSupervisedEpochs({
      where: 'test',
      epochs: 3,
      train: () => [1, 2].map((v) => { const b = batch(v); made.push(b); return b; }),
      optimizer: opt,
      schedule: (it) => { lrs.push(it); return 0.1; },
      variables: () => new Map([['w', w]]),
      loss: (b) => w.mul(b.modalities.x as tf.Tensor).square().mean() as tf.Scalar,
    });
    expect(lrs).toEqual([0, 1, 2, 3, 4, 5]);
    expect(history.map((h) => h.steps)).toEqual([2, 2, 2]);
    expect(history[2]!.loss).toBeLessThan(history[0]!.loss);
    expect(made.every((b) => b.modalities.x!.isDisposed)).toBe(true);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before + 0);
    w.dispose();
  });

  it('stops on a non-finite loss naming epoch, step and samples, and on an empty epoch', async () => {
    const w = tf.variable(tf.scalar(1));
    const opt = new AdamW(new Map([['w', w]]));
    const base = { where: 'probe', epochs: 1, optimizer: opt, schedule: constantSchedule(0.1), variables: () => new Map([['w', w]]) };
    await expect(runSupervisedEpochs({ ...base, train: () => [batch(7)], loss: () => w.mul(Number.NaN) as tf.Scalar })).rejects.toThrow(/probe: the loss is NaN at epoch 0, step 0 \(batch samples 7\)/);
    await expect(runSupervisedEpochs({ ...base, train: () => [], loss: () => w.mul(1) as tf.Scalar })).rejects.toThrow(/epoch 0 produced no batches/);
    opt.dispose();
    w.dispose();
  });
});

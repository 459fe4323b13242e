import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MaskSample } from '@terramae/masking';
import { Module, Rng, truncNormal, type Batch } from '@terramae/tensors';
import { useBackend } from '@terramae/testing';
import { AdamW } from '../optim/adamw';
import { buildParamGroups } from '../optim/param-groups';
import { constantSchedule } from '../optim/lr-schedule';
import { listCheckpoints } from '../checkpoint/checkpoint';
import { NonFiniteLossError, pretrain } from './pretrain';
import type { BatchStream, TrainableModel } from './types';

/** y = x·W + b with a per-task split of the squared error, plus a fake "mask" from the rng. */
class TinyModel extends Module implements TrainableModel {
  readonly w: tf.Variable;
  readonly b: tf.Variable;
  poison = false;
  constructor(seed: number) {
    super();
    const rng = new Rng(seed);
    this.w = this.param('head.weight', truncNormal([4, 2], rng, 0.5), { torchLayout: 'linear' });
    this.b = this.param('head.bias', tf.zeros([2]));
  }
  sampleMask(batch: Batch, rng: Rng): MaskSample {
    const keep = rng.int(4);
    const values = new Uint8Array(batch.size * 4).map((_, i) => (i % 4 === keep ? 0 : 1));
    const t = tf.tensor2d(Array.from(values), [batch.size, 4]);
    const ids = tf.zeros([batch.size, 4], 'int32') as tf.Tensor2D;
    return { mask: t, idsShuffle: ids, idsRestore: ids.clone(), idsKeep: ids.clone(), keep: [1], maskValues: values, grid: [2, 2] };
  }
  computeLoss(batch: Batch, mask: MaskSample) {
    const x = batch.modalities.x as tf.Tensor2D;
    const y = batch.modalities.y as tf.Tensor2D;
    const pred = tf.matMul(x.mul(tf.scalar(1).sub(mask.mask)), this.w).add(this.b);
    const err = pred.sub(y).square();
    const a = err.slice([0, 0], [-1, 1]).mean() as tf.Scalar;
    const c = (this.poison ? err.slice([0, 1], [-1, 1]).mean().mul(Number.NaN) : err.slice([0, 1], [-1, 1]).mean()) as tf.Scalar;
    return { total: a.add(c) as tf.Scalar, perTask: { a, c } };
  }
  embed(batch: Batch) {
    return tf.matMul(batch.modalities.x as tf.Tensor2D, this.w) as tf.Tensor2D;
  }
}

/** A deterministic, resumable stream of random regression batches. */
class Stream implements BatchStream {
  private position = 0;
  readonly batchesPerEpoch = 10;
  async next(): Promise<Batch> {
    const rng = new Rng(1000 + this.position++);
    const x = tf.tensor2d(rng.normalArray(8 * 4), [8, 4]);
    const y = tf.tensor2d(rng.normalArray(8 * 2), [8, 2]);
    return { size: 8, views: 1, modalities: { x, y }, specs: {}, indices: [] };
  }
  state() {
    return { position: this.position };
  }
  restore(s: unknown) {
    this.position = (s as { position: number }).position;
  }
}

function setup(seed = 3) {
  const model = new TinyModel(seed);
  const optimizer = new AdamW(buildParamGroups(model.trainableVariables(), { weightDecay: 0.05 }), { betas: [0.9, 0.95] });
  return { model, optimizer, data: new Stream(), rng: new Rng(seed) };
}

describe('pretrain', () => {
  beforeAll(() => useBackend('cpu'));
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'terramae-trainer-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => undefined);

  it('trains, logs per-task losses as JSONL, and leaks no tensor', async () => {
    const before = tf.memory().numTensors;
    const s = setup();
    const dir = tmp();
    const result = await pretrain({ ...s, schedule: constantSchedule(0.05), totalSteps: 20, log: { jsonl: join(dir, 'metrics.jsonl') }, healthEvery: 5 });
    expect(result.steps).toBe(20);
    expect(result.history[19]!.loss).toBeLessThan(result.history[0]!.loss);
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(20);
    expect(Object.keys(lines[0].tasks)).toEqual(['a', 'c']);
    expect(lines[4].extra.feature_std).toBeGreaterThan(0);
    s.optimizer.dispose();
    s.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('resuming from a checkpoint reproduces the uninterrupted loss trajectory exactly', async () => {
    const full = setup();
    const uninterrupted = await pretrain({ ...full, schedule: constantSchedule(0.05), totalSteps: 8 });
    const dir = tmp();
    const first = setup();
    await pretrain({ ...first, schedule: constantSchedule(0.05), totalSteps: 4, checkpoint: { dir } });
    const second = setup(99); // different init: everything must come from the checkpoint
    const resumed = await pretrain({ ...second, schedule: constantSchedule(0.05), totalSteps: 8, checkpoint: { dir }, resume: 'latest' });
    expect(resumed.history.map((r) => r.loss)).toEqual(uninterrupted.history.slice(4).map((r) => r.loss));
    expect(listCheckpoints(dir).map((p) => p.split('/').pop())).toEqual(['checkpoint-00000004', 'checkpoint-00000008']);
    for (const s of [full, first, second]) {
      s.optimizer.dispose();
      s.model.dispose();
    }
  });

  it('stops on a non-finite loss, names the task, and keeps the last good checkpoint', async () => {
    const s = setup();
    const dir = tmp();
    await pretrain({ ...s, schedule: constantSchedule(0.01), totalSteps: 2, checkpoint: { dir, every: 1 } });
    s.model.poison = true;
    const run = pretrain({ ...s, schedule: constantSchedule(0.01), totalSteps: 5, checkpoint: { dir, every: 1 }, resume: 'latest' });
    await expect(run).rejects.toThrow(NonFiniteLossError);
    await expect(pretrain({ ...s, schedule: constantSchedule(0.01), totalSteps: 5, checkpoint: { dir, every: 1 }, resume: 'latest' })).rejects.toThrow(/step 3.*task losses: c.*checkpoint-00000002/s);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint-00000001', 'checkpoint-00000002']);
    s.optimizer.dispose();
    s.model.dispose();
  });

  it('saves and returns when aborted', async () => {
    const s = setup();
    const dir = tmp();
    const controller = new AbortController();
    const result = await pretrain({
      ...s,
      schedule: constantSchedule(0.01),
      totalSteps: 100,
      checkpoint: { dir },
      onStep: (step) => {
        if (step === 3) controller.abort();
      },
      signal: controller.signal,
    });
    expect(result.stoppedEarly).toBe(true);
    expect(result.steps).toBe(3);
    expect(readdirSync(dir)).toEqual(['checkpoint-00000003']);
    s.optimizer.dispose();
    s.model.dispose();
  });
});

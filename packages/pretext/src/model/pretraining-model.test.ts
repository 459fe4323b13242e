import * as tf from '@tensorflow/tfjs';
import { createMaskingStrategy, disposeMask } from '@terramae/masking';
import { Rng, disposeBatch } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import '../register-builtins';
import { FakeGridBackbone, FakeTokenBackbone } from '../__tests__/fake-backbones';
import { tinyBatch, tinySpecs } from '../__tests__/synthetic-batch';
import { FcmaeDecoder } from '../decoders/fcmae-decoder';
import { mmearthTasks } from '../tasks/mmearth/mmearth-tasks';
import { RecipeValidationError } from '../validate/recipe-validation-error';
import { buildPretrainingModel } from './pretraining-model';

function build(layout: 'grid' | 'tokens', aggregator = 'uncertainty') {
  const backbone = layout === 'grid' ? new FakeGridBackbone(4, 6, 4, 1) : new FakeTokenBackbone(4, 6, 4, 1);
  return buildPretrainingModel({
    backbone,
    masking: createMaskingStrategy(layout === 'grid' ? 'fcmae' : 'random', { ratio: 0.5 }),
    tasks: mmearthTasks('all', { decoder: { dim: 8 } }),
    aggregator: { name: aggregator },
    inputModality: 'sentinel2',
    specs: tinySpecs(),
    inputSize: [16, 16],
    rng: new Rng(3),
  });
}

for (const backend of testBackends()) {
  describe(`PretrainingModel (${backend})`, () => {
    beforeAll(() => useBackend(backend));

    it('names parameters backbone.*, shared.*, heads.*, aggregator.*', () => {
      const model = build('grid');
      const names = model.namedParameters().map((p) => p.name);
      expect(names).toContain('backbone.embed.weight');
      expect(names).toContain('shared.fcmae_decoder.proj.weight');
      expect(names).toContain('shared.fcmae_decoder.mask_token');
      expect(names).toContain('shared.fcmae_decoder.decoder.0.dwconv.weight');
      expect(names).toContain('shared.layer_norm_tmp.weight');
      expect(names).toContain('heads.sentinel2.weight');
      expect(names).toContain('heads.eco_region.bias');
      expect(names).toContain('aggregator.log_vars');
      expect(names.filter((n) => n.includes('fcmae_decoder.proj.weight'))).toHaveLength(1);
      expect(model.taskIds).toEqual(['sentinel2', 'sentinel1', 'aster', 'era5', 'dynamic_world', 'canopy_height_eth', 'lat', 'lon', 'biome', 'eco_region', 'month', 'esa_worldcover']);
      model.dispose();
    });

    for (const layout of ['grid', 'tokens'] as const) {
      it(`computes finite losses with non-zero gradients for every variable, runs the shared decoder once, leaks nothing (${layout})`, () => {
        const model = build(layout);
        const batch = tinyBatch(2, 16, 5);
        const mask = model.sampleMask(batch, new Rng(9));
        const spy = vi.spyOn(FcmaeDecoder.prototype, 'forward');
        const before = tf.memory().numTensors;
        const vars = [...model.trainableVariables().entries()];
        const { value, grads } = tf.tidy(() => {
          const r = tf.variableGrads(() => model.computeLoss(batch, mask).total, vars.map(([, v]) => v));
          return { value: r.value, grads: r.grads };
        });
        expect(spy).toHaveBeenCalledTimes(1);
        spy.mockRestore();
        expect(Number.isFinite(value.dataSync()[0])).toBe(true);
        const zero: string[] = [];
        for (const [name, v] of vars) {
          const g = grads[v.name];
          const norm = g ? tf.tidy(() => g.abs().max().dataSync()[0] as number) : 0;
          if (!(norm > 0) || !Number.isFinite(norm)) zero.push(`${name}: ${norm}`);
        }
        expect(zero).toEqual([]);
        tf.dispose([value, ...Object.values(grads)]);
        expect(tf.memory().numTensors).toBe(before);
        const out = tf.tidy(() => {
          const r = model.computeLoss(batch, mask);
          return { perTask: r.perTask, total: r.total };
        });
        expect(Object.keys(out.perTask)).toEqual(model.taskIds);
        for (const t of Object.values(out.perTask)) expect(Number.isFinite(t.dataSync()[0])).toBe(true);
        tf.dispose([out.total, ...Object.values(out.perTask)]);
        expect(tf.memory().numTensors).toBe(before);
        disposeMask(mask);
        disposeBatch(batch);
        model.dispose();
      });
    }

    it('keeps logs on request and checks the batch', () => {
      const model = build('grid', 'sum');
      const batch = tinyBatch(2, 16, 1);
      const mask = model.sampleMask(batch, new Rng(1));
      let logs: Record<string, tf.Scalar> = {};
      const r = tf.variableGrads(() => {
        const out = model.computeLoss(batch, mask, { keepLogs: true });
        logs = { ...out.perTask };
        return out.total;
      });
      expect(logs['sentinel2']!.isDisposed).toBe(false);
      tf.dispose([r.value, ...Object.values(r.grads), ...Object.values(logs)]);
      const small = tinyBatch(2, 8, 1);
      expect(() => model.computeLoss(small, mask)).toThrow(/crop the batch/);
      disposeBatch(small);
      disposeMask(mask);
      disposeBatch(batch);
      model.dispose();
    });
  });
}

describe('per-task decoders', () => {
  beforeAll(() => useBackend('cpu'));
  it('gives each task its own decoder under heads.<id>.decoder.* when sharing is per-task', () => {
    const model = buildPretrainingModel({
      backbone: new FakeGridBackbone(4, 6, 4, 1),
      masking: createMaskingStrategy('fcmae', { ratio: 0.5 }),
      tasks: mmearthTasks('img', { decoder: { dim: 8, sharing: 'per-task' } }),
      inputModality: 'sentinel2',
      specs: tinySpecs(),
      inputSize: [16, 16],
      rng: new Rng(3),
    });
    const names = model.namedParameters().map((p) => p.name);
    expect(names.some((n) => n.startsWith('shared.'))).toBe(false);
    expect(names).toContain('heads.sentinel2.decoder.proj.weight');
    expect(names).toContain('heads.biome.decoder.mask_token');
    expect(names).toContain('heads.biome.norm.weight');
    const batch = tinyBatch(2, 16, 2);
    const mask = model.sampleMask(batch, new Rng(1));
    const spy = vi.spyOn(FcmaeDecoder.prototype, 'forward');
    const total = tf.tidy(() => model.computeLoss(batch, mask).total.dataSync()[0]);
    expect(spy).toHaveBeenCalledTimes(7);
    spy.mockRestore();
    expect(Number.isFinite(total)).toBe(true);
    disposeMask(mask);
    disposeBatch(batch);
    model.dispose();
  });
});

describe('buildPretrainingModel validation', () => {
  beforeAll(() => useBackend('cpu'));
  afterAll(() => undefined);
  it('lists every problem before creating tensors', () => {
    const before = tf.memory().numTensors;
    const specs = tinySpecs();
    delete (specs as Record<string, unknown>)['biome'];
    const backboneLike = { layout: 'grid' as const, inChannels: 5, patchSize: 4, dim: 6 };
    let error: unknown;
    try {
      buildPretrainingModel({
        backbone: backboneLike as never,
        masking: createMaskingStrategy('neighbor-adaptive'),
        tasks: mmearthTasks('all'),
        inputModality: 'sentinel2',
        specs,
        inputSize: [16, 16],
        rng: new Rng(0),
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RecipeValidationError);
    const msg = (error as Error).message;
    expect(msg).toMatch(/\[backbone \/ sentinel2\].*inChannels 4/);
    expect(msg).toMatch(/\[biome \/ biome\].*does not provide/);
    expect(msg).toMatch(/\[masking\].*2 views/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

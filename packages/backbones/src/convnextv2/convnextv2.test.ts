import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Rng, loadSafetensors, saveSafetensors } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, perturb, randn } from '../../test/convnextv2-utils';
import { ConvNeXtV2 } from './convnextv2';
import { ConvNeXtV2InputError } from './errors';

const SMALL = { depths: [1, 1, 2, 1], dims: [8, 12, 16, 20] } as const;

describe('ConvNeXt V2 structure', () => {
  beforeAll(async () => useBackend('cpu'));

  it('names parameters with the MMEarth-train state-dict keys, in state_dict order', () => {
    const m = new ConvNeXtV2({ ...SMALL, numClasses: 3, patchSize: 16, inChannels: 5 });
    const names = m.namedParameters().map((p) => p.name);
    expect(names.slice(0, 6)).toEqual([
      'downsample_layers.0.0.weight',
      'downsample_layers.0.0.bias',
      'downsample_layers.0.1.weight',
      'downsample_layers.0.1.bias',
      'downsample_layers.1.0.weight',
      'downsample_layers.1.0.bias',
    ]);
    expect(names.slice(12, 20)).toEqual([
      'initial_conv.0.weight',
      'initial_conv.0.bias',
      'initial_conv.1.weight',
      'initial_conv.1.bias',
      'stem.0.weight',
      'stem.0.bias',
      'stem.1.weight',
      'stem.1.bias',
    ]);
    expect(names.slice(-4)).toEqual(['norm.weight', 'norm.bias', 'head.weight', 'head.bias']);
    const shapes = Object.fromEntries(Object.entries(m.torchStateDict()).map(([k, v]) => [k, (v.dispose(), v.shape)]));
    expect(shapes['initial_conv.0.weight']).toEqual([8, 5, 3, 3]);
    expect(shapes['stem.0.weight']).toEqual([8, 1, 2, 2]);
    expect(shapes['downsample_layers.2.1.weight']).toEqual([20, 16, 2, 2]);
    expect(shapes['stages.2.1.grn.gamma']).toEqual([1, 1, 1, 64]);
    expect(shapes['head.weight']).toEqual([3, 20]);
    expect(m.parameterCount()).toBe(Object.values(shapes).reduce((s, sh) => s + sh.reduce((a, b) => a * b, 1), 0));
    m.dispose();
  });

  it('the original stem is stem_orig (conv k×k, k = patch/8); the bare encoder has no norm or head', () => {
    const m = new ConvNeXtV2({ ...SMALL, stem: 'original', patchSize: 32, inChannels: 3 });
    const names = m.namedParameters().map((p) => p.name);
    expect(names).toContain('stem_orig.0.weight');
    expect(names.some((n) => n.startsWith('initial_conv') || n.startsWith('stem.') || n.startsWith('norm') || n.startsWith('head'))).toBe(false);
    const w = m.torchStateDict()['stem_orig.0.weight']!;
    expect(w.shape).toEqual([8, 3, 4, 4]);
    w.dispose();
    expect(m.outputGrid(224, 224)).toEqual([7, 7]);
    m.dispose();
  });

  it('output grids of the padding variants (56 px, patch 8 → 7×7 "same", 6×6 "finetune")', () => {
    const same = new ConvNeXtV2({ ...SMALL });
    const ft = new ConvNeXtV2({ ...SMALL, padding: 'finetune' });
    const ft16 = new ConvNeXtV2({ ...SMALL, padding: 'finetune', patchSize: 16 });
    expect(same.outputGrid(56, 56)).toEqual([7, 7]);
    expect(ft.outputGrid(56, 56)).toEqual([6, 6]);
    expect(ft16.outputGrid(112, 112)).toEqual([7, 7]);
    expect(ft.outputGrid(32, 120)).toEqual([3, 14]);
    [same, ft, ft16].forEach((m) => m.dispose());
  });
});

for (const backend of testBackends()) {
  describe(`ConvNeXt V2 on ${backend}`, () => {
    beforeAll(async () => useBackend(backend));

    it('dense forward, features, pyramid and classifier: shapes, finiteness, no leaks', async () => {
      const m = new ConvNeXtV2({ ...SMALL, numClasses: 4, padding: 'finetune', seed: 1 });
      const x = randn([2, 56, 48, 12], 2) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const out = m.forward(x, { views: 1 });
      expect(out).toMatchObject({ layout: 'grid', dim: 20, grid: [6, 5], patchSize: 8, views: 1 });
      expect(out.mask).toBeUndefined();
      expect(out.features.shape).toEqual([2, 6, 5, 20]);
      const f = m.forwardFeatures(x, { pyramid: true });
      expect(f.pooled.shape).toEqual([2, 20]);
      expect(f.pyramidLevels).toEqual(['initial_conv', 'stem', 'stage0', 'stage1', 'stage2', 'stage3']);
      expect(f.pyramid!.map((t) => t.shape)).toEqual([
        [2, 54, 46, 8],
        [2, 54, 46, 8],
        [2, 54, 46, 8],
        [2, 27, 23, 12],
        [2, 13, 11, 16],
        [2, 6, 5, 20],
      ]);
      expect(await maxAbsDiff(f.pyramid![5]!, out.features)).toBe(0);
      const logits = m.classify(x);
      expect(logits.shape).toEqual([2, 4]);
      expect(Array.from(await logits.data()).every(Number.isFinite)).toBe(true);
      tf.dispose([out.features, f.pooled, ...f.pyramid!, logits]);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      m.dispose();
    });

    it('pooled features without a final norm are a plain LayerNorm of the average pool', async () => {
      const m = new ConvNeXtV2({ ...SMALL, seed: 3 });
      perturb(m, 4);
      const x = randn([3, 16, 16, 12], 5) as tf.Tensor4D;
      const { pooled } = m.forwardFeatures(x);
      const { mean, variance } = tf.moments(pooled, 1);
      expect(Math.max(...Array.from(await mean.abs().data()))).toBeLessThan(1e-5);
      expect(Math.max(...Array.from(await variance.sub(1).abs().data()))).toBeLessThan(1e-3);
      const withNorm = new ConvNeXtV2({ ...SMALL, seed: 3, finalNorm: true });
      perturb(m, 4);
      withNorm.loadStateDict({ ...m.stateDict(), 'norm.weight': tf.ones([20]), 'norm.bias': tf.zeros([20]) });
      const p2 = withNorm.forwardFeatures(x).pooled;
      expect(await maxAbsDiff(pooled, p2)).toBeLessThan(1e-6);
      tf.dispose([x, pooled, mean, variance, p2]);
      m.dispose();
      withNorm.dispose();
    });

    it('stochastic depth is active in training mode only and reproducible from the rng', async () => {
      const build = () => {
        const m = new ConvNeXtV2({ ...SMALL, dropPathRate: 0.5, seed: 6, rng: new Rng(7) });
        perturb(m, 8);
        return m;
      };
      const x = randn([4, 16, 16, 12], 9) as tf.Tensor4D;
      const a = build();
      const b = build();
      const ta = a.forward(x).features;
      const tb = b.forward(x).features;
      expect(await maxAbsDiff(ta, tb)).toBe(0);
      a.eval();
      const ea = a.forward(x).features;
      const ea2 = a.forward(x).features;
      expect(await maxAbsDiff(ea, ea2)).toBe(0);
      expect(await maxAbsDiff(ea, ta)).toBeGreaterThan(1e-3);
      tf.dispose([x, ta, tb, ea, ea2]);
      a.dispose();
      b.dispose();
    });

    it('rejects wrong inputs and token-backbone options with actionable errors', () => {
      const m = new ConvNeXtV2({ ...SMALL });
      const nchw = tf.zeros([1, 12, 16, 16]) as tf.Tensor4D;
      const x = tf.zeros([1, 16, 16, 12]) as tf.Tensor4D;
      const ids = tf.zeros([1, 2]) as tf.Tensor2D;
      expect(() => m.forward(nchw)).toThrow(/expected an NHWC batch \[B, H, W, 12\].*transpose/);
      expect(() => m.forward(x, { idsKeep: ids })).toThrow(ConvNeXtV2InputError);
      expect(() => m.classify(x)).toThrow(/no head; build it with numClasses > 0/);
      expect(() => m.forward(x, { mask: ids })).toThrow(/expected \[1, 4\]/);
      const small = tf.zeros([1, 6, 6, 12]) as tf.Tensor4D;
      expect(() => m.forward(small)).toThrow(/6×6 px leaves no cell.*at least 8 px/);
      small.dispose();
      tf.dispose([nchw, x, ids]);
      m.dispose();
    });
  });
}

describe('ConvNeXt V2 checkpoint round trip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'terramae-convnextv2-'));
  beforeAll(async () => useBackend('cpu'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('torchStateDict → safetensors → loadTorchStateDict reproduces the outputs exactly', async () => {
    const a = new ConvNeXtV2({ ...SMALL, numClasses: 3, patchSize: 16, seed: 1 });
    perturb(a, 2);
    const path = join(dir, 'convnextv2.safetensors');
    const exported = a.torchStateDict();
    saveSafetensors(path, exported);
    Object.values(exported).forEach((t) => t.dispose());
    const b = new ConvNeXtV2({ ...SMALL, numClasses: 3, patchSize: 16, seed: 99 });
    const loaded = loadSafetensors(path);
    b.loadTorchStateDict(loaded);
    Object.values(loaded).forEach((t) => t.dispose());
    const x = randn([2, 32, 32, 12], 3) as tf.Tensor4D;
    const mask = tf.tensor2d([[1, 0, 0, 1], [0, 0, 1, 0]]);
    const [la, lb] = [a.classify(x), b.classify(x)];
    const [ma, mb] = [a.forward(x, { mask }), b.forward(x, { mask })];
    expect(await maxAbsDiff(la, lb)).toBe(0);
    expect(await maxAbsDiff(ma.features, mb.features)).toBe(0);
    tf.dispose([x, mask, la, lb, ma.features, ma.mask!, mb.features, mb.mask!]);
    a.dispose();
    b.dispose();
  });
});

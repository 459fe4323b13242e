// Contract of the registered ConvNeXt V2 backbones: every size up to tiny trains one step on a tiny
// input on every backend; the big sizes are checked for construction (base) and parameter counts.
import * as tf from '@tensorflow/tfjs';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { randn, randomMask } from '../../test/convnextv2-utils';
import { createBackbone, listBackbones } from '../registry';
import { convnextv2ParameterCount } from './config';
import type { ConvNeXtV2 } from './convnextv2';
import { ConvNeXtV2ConfigError } from './errors';
import { CONVNEXTV2_REFERENCE_CONFIG } from './factories';
import './register';
import { CONVNEXTV2_SIZES, CONVNEXTV2_SIZE_NAMES } from './sizes';

const TRAINED = ['atto', 'femto', 'pico', 'nano', 'tiny'] as const;

/** One SGD step of `loss`; returns the names of parameters whose gradient is zero or non-finite. */
async function sgdStep(model: ConvNeXtV2, loss: () => tf.Scalar): Promise<{ bad: string[]; value: number }> {
  const params = model.namedParameters();
  const { value, grads } = tf.variableGrads(loss, params.map((p) => p.variable));
  const bad: string[] = [];
  for (const p of params) {
    const g = grads[p.variable.name];
    const summary = g ? tf.tidy(() => tf.stack([g.abs().max(), g.isFinite().all().toFloat()])) : undefined;
    const stats = summary ? await summary.data() : [0, 0];
    summary?.dispose();
    if (!(stats[0]! > 0) || stats[1] !== 1) bad.push(p.name);
    if (g) tf.tidy(() => p.variable.assign(p.variable.sub(g.mul(1e-3))));
  }
  const v = (await value.data())[0] as number;
  tf.dispose([value, ...Object.values(grads)]);
  return { bad, value: v };
}

describe('ConvNeXt V2 registry entries', () => {
  it('registers every size with paper, license and parameter count', () => {
    const entries = new Map(listBackbones().map((e) => [e.name, e.metadata]));
    for (const size of CONVNEXTV2_SIZE_NAMES) {
      const meta = entries.get(`convnextv2_${size}`);
      expect(meta, size).toBeDefined();
      expect(meta!.family).toBe('convnextv2');
      expect(meta!.paper).toMatch(/ConvNeXt V2/);
      expect(meta!.license).toMatch(/MIT/);
      expect(meta!.referenceConfig).toMatchObject({ inChannels: 12, patchSize: 8 });
      expect(meta!.parameterCount).toBe(convnextv2ParameterCount({ ...CONVNEXTV2_SIZES[size], ...CONVNEXTV2_REFERENCE_CONFIG }));
    }
    expect(entries.get('convnextv2_atto')!.parameterCount).toBe(3_389_320);
    expect(entries.get('convnextv2_tiny')!.parameterCount).toBe(27_871_104);
  });

  it('rejects unknown options by name', () => {
    expect(() => createBackbone('convnextv2_atto', { inChanels: 3 })).toThrow(ConvNeXtV2ConfigError);
    expect(() => createBackbone('convnextv2_atto', { inChanels: 3 })).toThrow(/unknown option\(s\) 'inChanels'/);
  });

  it('base builds with the documented parameter count; large and huge are counted without allocating', async () => {
    await useBackend('cpu');
    const base = createBackbone('convnextv2_base') as ConvNeXtV2;
    expect(base.parameterCount()).toBe(87_698_944);
    expect(base.dim).toBe(1024);
    base.dispose();
    // large (196 M) and huge (657 M) would need 0.8 and 2.6 GB of float32: the count comes from the same formula the built sizes check.
    expect(convnextv2ParameterCount(CONVNEXTV2_SIZES.large)).toBe(196_429_056);
    expect(convnextv2ParameterCount(CONVNEXTV2_SIZES.huge)).toBe(657_489_536);
  });
});

for (const backend of testBackends()) {
  describe(`ConvNeXt V2 contract on ${backend}`, () => {
    beforeAll(async () => useBackend(backend));

    for (const size of TRAINED) {
      // The pure-JS cpu backend is slow: it gets 16 px (a 2×2 grid), wasm 32 px (4×4) up to nano.
      const px = backend === 'cpu' || size === 'tiny' ? 16 : 32;
      const cells = (px / 8) ** 2;
      it(`${size}: masked training step on 2×${px}×${px}×12 — finite, every parameter gets a gradient, no leak`, async () => {
        const model = createBackbone(`convnextv2_${size}`, { seed: 1 }) as ConvNeXtV2;
        expect(model.parameterCount()).toBe(convnextv2ParameterCount(CONVNEXTV2_SIZES[size]));
        const x = randn([2, px, px, 12], 2) as tf.Tensor4D;
        const mask = randomMask(2, cells, Math.round(cells * 0.6), 3);
        const w = randn([2, px / 8, px / 8, model.dim], 4);
        const before = tf.memory().numTensors;
        const { bad, value } = await sgdStep(model, () => model.forward(x, { mask }).features.mul(w).sum() as tf.Scalar);
        expect(Number.isFinite(value)).toBe(true);
        expect(bad).toEqual([]);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([x, mask, w]);
        model.dispose();
      });
    }

    it('atto classifier: dense training step reaches norm and head too', async () => {
      const px = backend === 'cpu' ? 16 : 32;
      const model = createBackbone('convnextv2_atto', { seed: 5, numClasses: 3, padding: 'finetune', dropPathRate: 0.1 }) as ConvNeXtV2;
      const x = randn([2, px, px, 12], 6) as tf.Tensor4D;
      const w = randn([2, 3], 7);
      const before = tf.memory().numTensors;
      const { bad, value } = await sgdStep(model, () => model.classify(x).mul(w).sum() as tf.Scalar);
      expect(Number.isFinite(value)).toBe(true);
      expect(bad).toEqual([]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, w]);
      model.dispose();
    });
  });
}

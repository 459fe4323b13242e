import * as tf from '@tensorflow/tfjs';
import { Rng } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConvNeXtV2Block } from './block';
import { ConvNeXtV2InputError } from './errors';

function randomInput(shape: number[], seed: number): tf.Tensor4D {
  return tf.tensor(new Rng(seed).normalArray(shape.reduce((a, b) => a * b, 1)), shape as [number, number, number, number]) as tf.Tensor4D;
}

describe('ConvNeXtV2Block names', () => {
  beforeAll(async () => useBackend('cpu'));
  it('uses the PyTorch state-dict keys and shapes', () => {
    const b = new ConvNeXtV2Block({ dim: 8 });
    const dict = b.torchStateDict();
    expect(Object.fromEntries(Object.entries(dict).map(([k, v]) => [k, v.shape]))).toEqual({
      'dwconv.weight': [8, 1, 7, 7],
      'dwconv.bias': [8],
      'norm.weight': [8],
      'norm.bias': [8],
      'pwconv1.weight': [32, 8],
      'pwconv1.bias': [32],
      'grn.gamma': [1, 1, 1, 32],
      'grn.beta': [1, 1, 1, 32],
      'pwconv2.weight': [8, 32],
      'pwconv2.bias': [8],
    });
    Object.values(dict).forEach((t) => t.dispose());
    b.dispose();
  });
});

for (const backend of testBackends()) {
  describe(`ConvNeXtV2Block on ${backend}`, () => {
    beforeAll(async () => useBackend(backend));

    it('keeps the shape, is finite, and leaks nothing', () => {
      const b = new ConvNeXtV2Block({ dim: 8, rng: new Rng(1) });
      const x = randomInput([2, 6, 5, 8], 2);
      const before = tf.memory().numTensors;
      const y = b.forward(x, { grnEps: 1e-6 });
      expect(y.shape).toEqual([2, 6, 5, 8]);
      expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
      y.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(() => b.forward(randomInput([1, 4, 4, 7], 3), { grnEps: 1e-6 })).toThrow(ConvNeXtV2InputError);
      // The default eps is MMEarth's dense 1e-4.
      expect(b.grnEps).toBe(1e-4);
      const [d, e4] = tf.tidy(() => [b.forward(x), b.forward(x, { grnEps: 1e-4 })].map((t) => t.sub(x).abs().sum()));
      expect(d!.dataSync()[0]).toBe(e4!.dataSync()[0]);
      tf.dispose([d!, e4!]);
      x.dispose();
      b.dispose();
    });

    it('masked: visible outputs ignore hidden inputs; an all-visible map changes nothing', async () => {
      const b = new ConvNeXtV2Block({ dim: 4, rng: new Rng(5) });
      // Give GRN non-zero affine parameters so its statistics matter.
      b.loadStateDict({ 'grn.gamma': randomInput([1, 1, 1, 16], 6), 'grn.beta': randomInput([1, 1, 1, 16], 7) }, { strict: false });
      const visData = new Float32Array(2 * 6 * 6).map((_, i) => ((i * 7) % 3 === 0 ? 0 : 1));
      const visible = tf.tensor4d(visData, [2, 6, 6, 1]);
      const x1 = randomInput([2, 6, 6, 4], 8);
      const noise = randomInput([2, 6, 6, 4], 9).mul(100);
      const x2 = x1.add(noise.mul(tf.scalar(1).sub(visible)));
      for (const statistics of ['sample', 'batch'] as const) {
        const y1 = await b.forward(x1, { grnEps: 1e-6, visible, statistics }).mul(visible).data();
        const y2 = await b.forward(x2 as tf.Tensor4D, { grnEps: 1e-6, visible, statistics }).mul(visible).data();
        expect(Math.max(...Array.from(y2).map((v, i) => Math.abs(v - (y1[i] as number))))).toBe(0);
      }
      const ones = tf.onesLike(visible) as tf.Tensor4D;
      const dense = await b.forward(x1, { grnEps: 1e-6 }).data();
      const allVisible = await b.forward(x1, { grnEps: 1e-6, visible: ones, statistics: 'sample' }).data();
      const maxDiff = Math.max(...Array.from(dense).map((v, i) => Math.abs(v - (allVisible[i] as number))));
      expect(maxDiff).toBeLessThan(1e-5);
      tf.dispose([visible, x1, x2, noise, ones]);
      b.dispose();
    });

    it('drop path drops whole samples in training mode only, reproducibly', async () => {
      const run = async (training: boolean, seed: number) => {
        const b = new ConvNeXtV2Block({ dim: 4, dropPath: 0.5, rng: new Rng(3), dropPathRng: new Rng(seed) });
        b.train(training);
        const x = randomInput([16, 3, 3, 4], 4);
        const y = b.forward(x, { grnEps: 1e-6 });
        const diff = await y.sub(x).abs().max([1, 2, 3]).data();
        tf.dispose([x, y]);
        b.dispose();
        return Array.from(diff);
      };
      const evalDiff = await run(false, 1);
      expect(evalDiff.every((d) => d > 0)).toBe(true);
      const a = await run(true, 1);
      const dropped = a.filter((d) => d === 0).length;
      expect(dropped).toBeGreaterThan(0);
      expect(dropped).toBeLessThan(16);
      expect(await run(true, 1)).toEqual(a);
      // Kept samples are scaled by 1/(1−rate) = 2.
      const kept = a.findIndex((d) => d > 0);
      expect((a[kept] as number) / (evalDiff[kept] as number)).toBeCloseTo(2, 4);
    });
  });
}

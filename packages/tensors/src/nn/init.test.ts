import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { testBackends } from '@terramae/testing';
import { erf64, numericSuite } from '../testing-utils/index';
import { Rng } from '../util/rng';
import { ModuleError } from './errors';
import { normalInit, onesInit, truncNormal, xavierUniform, zerosInit } from './init';

const stats = (v: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < v.length; i++) m += v[i] as number;
  m /= v.length;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += ((v[i] as number) - m) ** 2;
  return { mean: m, std: Math.sqrt(s / v.length), min: Math.min(...Array.from(v)), max: Math.max(...Array.from(v)) };
};

/** Mean and std of N(mu, sigma²) truncated to [a, b]. */
function truncatedMoments(mu: number, sigma: number, a: number, b: number) {
  const phi = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
  const cdf = (z: number) => 0.5 * (1 + erf64(z / Math.SQRT2));
  const [al, be] = [(a - mu) / sigma, (b - mu) / sigma];
  const zMass = cdf(be) - cdf(al);
  const mean = mu + (sigma * (phi(al) - phi(be))) / zMass;
  const variance = sigma * sigma * (1 + (al * phi(al) - be * phi(be)) / zMass - ((phi(al) - phi(be)) / zMass) ** 2);
  return { mean, std: Math.sqrt(variance) };
}

for (const backend of testBackends()) {
  describe(`initialisers on ${backend}`, () => {
    numericSuite(backend);

    it('truncNormal stays inside the absolute bounds and has the truncated-normal mean and std', () => {
      const t = truncNormal([100, 100], new Rng(1), 1, 0.2, -0.5, 1.5);
      expect(t.shape).toEqual([100, 100]);
      const s = stats(t.dataSync());
      const ref = truncatedMoments(0.2, 1, -0.5, 1.5);
      expect(s.min).toBeGreaterThanOrEqual(-0.5);
      expect(s.max).toBeLessThanOrEqual(1.5);
      expect(s.min).toBeLessThan(-0.49); // the bounds are reached, not a narrower range
      expect(s.max).toBeGreaterThan(1.49);
      expect(Math.abs(s.mean - ref.mean)).toBeLessThan(0.015);
      expect(Math.abs(s.std / ref.std - 1)).toBeLessThan(0.02);
      t.dispose();
    });

    it('truncNormal with timm defaults (std 0.02, bounds ±2 in value units) is N(0, 0.02²)', () => {
      const t = truncNormal([20000], new Rng(2));
      const s = stats(t.dataSync());
      expect(Math.abs(s.mean)).toBeLessThan(5e-4);
      expect(Math.abs(s.std / 0.02 - 1)).toBeLessThan(0.02);
      t.dispose();
    });

    it('truncNormal rejects empty or unreachable intervals', () => {
      expect(() => truncNormal([2], new Rng(0), 1, 0, 1, 1)).toThrow(ModuleError);
      expect(() => truncNormal([2], new Rng(0), 0.02, 0, 1, 2)).toThrow(/more than 6 std/);
    });

    it('xavierUniform draws U(−a, a) with a = √(6 / (fanIn + fanOut))', () => {
      const [fanIn, fanOut] = [64, 192]; // MAE qkv: one [3D, D] matrix
      const bound = Math.sqrt(6 / (fanIn + fanOut));
      const t = xavierUniform([fanIn, fanOut], new Rng(3), fanIn, fanOut);
      const s = stats(t.dataSync());
      expect(s.min).toBeGreaterThanOrEqual(-bound);
      expect(s.max).toBeLessThanOrEqual(bound);
      expect(s.max).toBeGreaterThan(0.99 * bound);
      expect(s.min).toBeLessThan(-0.99 * bound);
      expect(Math.abs(s.std / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.02);
      t.dispose();
    });

    it('normalInit has the requested mean and std; zeros and ones are constant', () => {
      const t = normalInit([20000], new Rng(4), 0.5, 3);
      const s = stats(t.dataSync());
      expect(Math.abs(s.mean - 3)).toBeLessThan(0.01);
      expect(Math.abs(s.std / 0.5 - 1)).toBeLessThan(0.02);
      const z = zerosInit([2, 3]);
      const o = onesInit([4]);
      expect(Array.from(z.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
      expect(Array.from(o.dataSync())).toEqual([1, 1, 1, 1]);
      tf.dispose([t, z, o]);
    });

    it('is deterministic per seed (same seed, same values; different seed, different values)', () => {
      for (const make of [
        (seed: number) => truncNormal([50], new Rng(seed)),
        (seed: number) => normalInit([50], new Rng(seed)),
        (seed: number) => xavierUniform([5, 10], new Rng(seed), 5, 10),
      ]) {
        const [a, b, c] = [make(7), make(7), make(8)];
        expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
        expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
        tf.dispose([a, b, c]);
      }
    });
  });
}

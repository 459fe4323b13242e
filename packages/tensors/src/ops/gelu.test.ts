import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { testBackends } from '@terramae/testing';
import { checkGradients, erf64, numericSuite, randomArray, valueAndGrads } from '../testing-utils/index';
import { gelu } from './gelu';

const geluRef = (x: number) => 0.5 * x * (1 + erf64(x / Math.SQRT2));
const geluGradRef = (x: number) => 0.5 * (1 + erf64(x / Math.SQRT2)) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI);

describe('erf64 (the test reference)', () => {
  it('matches tabulated values of erf and erfc', () => {
    const table: [number, number][] = [
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [2.4, 0.9993114861033549],
      [3.5, 0.9999992569016276],
    ];
    for (const [x, v] of table) {
      expect(Math.abs(erf64(x) - v)).toBeLessThan(2e-15);
      expect(erf64(-x)).toBe(-erf64(x));
    }
    expect(Math.abs(1 - erf64(3) - 2.209049699858544e-5) / 2.209049699858544e-5).toBeLessThan(1e-10);
    expect(erf64(0)).toBe(0);
  });
});

// Points covering the whole range, with extra density where erf changes fastest.
const xs = Float32Array.from([...Array.from({ length: 161 }, (_, i) => -8 + i * 0.1), ...randomArray(64, 3, 2)]);

for (const backend of testBackends()) {
  describe(`gelu on ${backend}`, () => {
    numericSuite(backend);

    it('equals the exact erf GELU (float64 reference) to float32 accuracy on [−8, 8], and its derivative too', () => {
      const x = tf.tensor1d(xs);
      const dy = tf.ones([xs.length]);
      const [y, dx] = valueAndGrads((a) => gelu(a), [x], dy);
      let worstValue = 0;
      let worstGrad = 0;
      xs.forEach((v, i) => {
        // float32 evaluation of 0.5·x·(1+erf) loses up to ~1e-7 absolute in (1+erf); scale by max(1, |x|).
        worstValue = Math.max(worstValue, Math.abs((y as Float64Array)[i]! - geluRef(v)) / Math.max(1, Math.abs(v)));
        worstGrad = Math.max(worstGrad, Math.abs((dx as Float64Array)[i]! - geluGradRef(v)) / Math.max(1, Math.abs(v)));
      });
      expect(worstValue).toBeLessThan(5e-7);
      expect(worstGrad).toBeLessThan(5e-7);
      tf.dispose([x, dy]);
    });

    it('is the erf form, not the tanh approximation', () => {
      // At x = −3 the tanh approximation differs from the exact value by ~3e-4 (relative 8e-2).
      const y = tf.tidy(() => gelu(tf.tensor1d([-3, 1.5])).dataSync());
      expect(Math.abs(y[0]! - geluRef(-3))).toBeLessThan(2e-6);
      expect(Math.abs(y[1]! - geluRef(1.5))).toBeLessThan(2e-7);
    });

    it('passes a finite-difference check on any-rank input', () => {
      const x = tf.tensor3d(randomArray(2 * 3 * 4, 7, 1.5), [2, 3, 4]);
      checkGradients((a) => gelu(a), [x], { tolerance: 1e-3 });
      x.dispose();
    });
  });
}

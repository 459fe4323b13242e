import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { testBackends } from '@terramae/testing';
import { expectClose, numericSuite, randomArray, valueAndGrads } from '../testing-utils/index';
import { stopGradient } from './stop-gradient';

for (const backend of testBackends()) {
  describe(`stopGradient on ${backend}`, () => {
    numericSuite(backend);

    it('is the identity forward and blocks exactly its own path backward', () => {
      const xs = randomArray(2 * 3 * 4, 1);
      const x = tf.tensor3d(xs, [2, 3, 4]);
      const ones = tf.onesLike(x);
      // f(x) = sg(x)·x + x²: the true derivative would be 4x, with the stop it is sg(x) + 2x = 3x.
      const [y, dx] = valueAndGrads((a) => stopGradient(a).mul(a).add(a.square()), [x], ones);
      expectClose(y as Float64Array, Array.from(xs, (v) => 2 * v * v), 1e-6, 'y');
      expectClose(dx as Float64Array, Array.from(xs, (v) => 3 * v), 1e-6, 'dx');
      const [v, g] = valueAndGrads((a) => stopGradient(a), [x], ones);
      expectClose(v as Float64Array, xs, 0, 'identity');
      expect(Array.from(g as Float64Array).every((e) => e === 0)).toBe(true);
      tf.dispose([x, ones]);
    });

    it('returns a new tensor of the same dtype and shape (disposing it leaves the input alive)', () => {
      const x = tf.tensor2d([[1, 2], [3, 4]], undefined, 'int32');
      const y = stopGradient(x);
      expect(y).not.toBe(x);
      expect(y.dtype).toBe('int32');
      expect(y.shape).toEqual([2, 2]);
      y.dispose();
      expect(Array.from(x.dataSync())).toEqual([1, 2, 3, 4]);
      x.dispose();
    });
  });
}

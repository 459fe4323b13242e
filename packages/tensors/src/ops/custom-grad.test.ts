import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { testBackends } from '@terramae/testing';
import { numericSuite, valueAndGrads } from '../testing-utils/index';
import { defineCustomGrad } from './custom-grad';

// y = a·b with a deliberately "wrong" gradient (2·dy·b for a, dy·a for b) to prove the custom one is used.
const scaledProduct = defineCustomGrad<[tf.Tensor, tf.Tensor], tf.Tensor>((a, b, save) => {
  save([a, b]);
  return {
    value: a.mul(b),
    gradFunc: (dy, [sa, sb]) => [dy.mul(sb as tf.Tensor).mul(2), dy.mul(sa as tf.Tensor)],
  };
});

for (const backend of testBackends()) {
  describe(`defineCustomGrad on ${backend}`, () => {
    numericSuite(backend);

    it('runs the forward, hands saved tensors to the gradient, and frees them afterwards', () => {
      const a = tf.tensor1d([1, 2, 3]);
      const b = tf.tensor1d([4, 5, 6]);
      const dy = tf.ones([3]);
      const [y, da, db] = valueAndGrads((x, z) => scaledProduct(x, z), [a, b], dy);
      expect(Array.from(y!)).toEqual([4, 10, 18]);
      expect(Array.from(da!)).toEqual([8, 10, 12]);
      expect(Array.from(db!)).toEqual([1, 2, 3]);
      tf.dispose([a, b, dy]);
    });
  });
}

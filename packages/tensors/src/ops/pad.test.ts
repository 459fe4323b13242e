import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { testBackends } from '@terramae/testing';
import { numericSuite } from '../testing-utils/index';
import { convOutputSize, padSpatial } from './pad';

describe('convOutputSize', () => {
  it('follows PyTorch: floor((H + 2q − k) / s) + 1', () => {
    expect(convOutputSize(110, 2, 2, 1)).toBe(56);
    expect(convOutputSize(110, 2, 2, 0)).toBe(55);
    expect(convOutputSize(56, 3, 1, 0)).toBe(54);
    expect(convOutputSize(13, 4, 4, 0)).toBe(3);
    expect(convOutputSize(7, 7, 1, 3)).toBe(7);
  });
});

for (const backend of testBackends()) {
  describe(`padSpatial on ${backend}`, () => {
    numericSuite(backend);

    it('pads H and W by q zeros on every side and returns the input itself for q = 0', () => {
      const x = tf.ones([1, 2, 3, 2]) as tf.Tensor4D;
      expect(padSpatial(x, 0)).toBe(x);
      const y = padSpatial(x, 2);
      expect(y.shape).toEqual([1, 6, 7, 2]);
      tf.tidy(() => {
        expect(y.sum().dataSync()[0]).toBe(12);
        expect(y.slice([0, 2, 2, 0], [1, 2, 3, 2]).min().dataSync()[0]).toBe(1);
      });
      tf.dispose([x, y]);
    });
  });
}

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { testBackends, useBackend } from '@terramae/testing';
import { matMul2d } from './matmul';

for (const backend of testBackends()) {
  describe(`matMul2d (${backend})`, () => {
    beforeAll(() => useBackend(backend));
    it('equals tf.matMul / tf.fused.matMul in value and in all gradients, and leaks nothing', () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const a = tf.randomNormal([7, 5], 0, 1, 'float32', 1) as tf.Tensor2D;
        const b = tf.randomNormal([5, 3], 0, 1, 'float32', 2) as tf.Tensor2D;
        const bias = tf.randomNormal([3], 0, 1, 'float32', 3) as tf.Tensor1D;
        const w = tf.randomNormal([7, 3], 0, 1, 'float32', 4);
        const stock = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D).add(z).mul(w).sum())([a, b, bias]);
        const mine = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => matMul2d(x as tf.Tensor2D, y as tf.Tensor2D, z as tf.Tensor1D).mul(w).sum())([a, b, bias]);
        stock.forEach((g, i) => expect(tf.max(tf.abs(g.sub(mine[i]!))).dataSync()[0]).toBeLessThan(1e-5));
        const plain = tf.grads((x: tf.Tensor, y: tf.Tensor) => matMul2d(x as tf.Tensor2D, y as tf.Tensor2D).mul(w).sum())([a, b]);
        expect(tf.max(tf.abs(plain[0]!.sub(stock[0]!))).dataSync()[0]).toBeLessThan(1e-5);
        expect(tf.max(tf.abs(matMul2d(a, b).sub(tf.matMul(a, b)))).dataSync()[0]).toBe(0);
      });
      expect(tf.memory().numTensors).toBe(before);
    });
    it('rejects shapes that do not multiply', () => {
      tf.tidy(() => {
        expect(() => matMul2d(tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([4, 5]) as tf.Tensor2D)).toThrow(/cannot multiply \[2, 3\] by \[4, 5\]/);
        expect(() => matMul2d(tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([3, 5]) as tf.Tensor2D, tf.zeros([4]) as tf.Tensor1D)).toThrow(/bias of shape \[4\]/);
      });
    });
  });
}

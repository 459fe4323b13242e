import * as tf from '@tensorflow/tfjs';

/**
 * Nearest-neighbour upsampling of an NHWC map by an integer factor (PyTorch
 * `nn.Upsample(scale_factor=s, mode='nearest')`): every value becomes an `s × s` block. Built
 * from a reshape and a broadcast multiply, so its gradient (a block sum) exists on every backend.
 */
export function upsampleNearest(x: tf.Tensor4D, factor: number): tf.Tensor4D {
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`upsampleNearest: factor must be a positive integer, got ${factor}`);
  if (factor === 1) return x.clone();
  const [n, h, w, c] = x.shape;
  return tf.tidy(() => x.reshape([n, h, 1, w, 1, c]).mul(tf.ones([1, 1, factor, 1, factor, 1])).reshape([n, h * factor, w * factor, c]) as tf.Tensor4D);
}

import * as tf from '@tensorflow/tfjs';

/** Zero-pad the two spatial axes of an NHWC tensor by `q` pixels on every side (PyTorch `padding=q`). */
export function padSpatial(x: tf.Tensor4D, q: number): tf.Tensor4D {
  if (q === 0) return x;
  return tf.pad(x, [[0, 0], [q, q], [q, q], [0, 0]]);
}

/** Output size of a PyTorch convolution along one axis. */
export function convOutputSize(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

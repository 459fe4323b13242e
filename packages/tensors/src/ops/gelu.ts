import * as tf from '@tensorflow/tfjs';

/** GELU with the exact erf form, `0.5·x·(1 + erf(x/√2))` (PyTorch `nn.GELU()` default). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5));
}

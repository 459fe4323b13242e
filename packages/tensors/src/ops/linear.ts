import * as tf from '@tensorflow/tfjs';
import { OpArgumentError } from './errors';
import { matMul2d } from './matmul';

/**
 * A dense layer on the last axis: `y = x · W + b` with `W` in TF layout `[in, out]`
 * (PyTorch `Linear.weight` transposed). Works for any leading shape.
 */
export function linear(x: tf.Tensor, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor {
  const inDim = weight.shape[0];
  const outDim = weight.shape[1];
  const lead = x.shape.slice(0, -1);
  if (x.shape[x.rank - 1] !== inDim) {
    throw new OpArgumentError(`linear: input has ${x.shape[x.rank - 1]} features, weight expects ${inDim}`);
  }
  return tf.tidy(() => {
    const flat = x.reshape([-1, inDim]) as tf.Tensor2D;
    const y = matMul2d(flat, weight, bias);
    return y.reshape([...lead, outDim]);
  });
}

import * as tf from '@tensorflow/tfjs';
import { defineCustomGrad } from './custom-grad';
import { OpArgumentError } from './errors';

/**
 * `a · b (+ bias)` for 2-D operands, with a gradient that keeps every product on the backend's
 * fast path. TF.js differentiates `matMul` with transpose flags (`dy · bᵀ` as
 * `matMul(dy, b, false, true)`); the wasm backend only runs untransposed, single-batch products
 * on XNNPACK and falls back to a naive loop otherwise, which made backward passes several times
 * slower than forward ones. Here the transposes are explicit (`transpose` is cheap at rank 2), so
 * all three products of a training step use the fast kernel. Values are identical.
 *
 * @param a `[m, k]`.
 * @param b `[k, n]`.
 * @param bias `[n]`, added to every row.
 */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  if (a.rank !== 2 || b.rank !== 2 || a.shape[1] !== b.shape[0]) {
    throw new OpArgumentError(`matMul2d: cannot multiply [${a.shape.join(', ')}] by [${b.shape.join(', ')}]`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== b.shape[1])) {
    throw new OpArgumentError(`matMul2d: bias of shape [${bias.shape.join(', ')}] does not fit ${b.shape[1]} outputs`);
  }
  return bias ? matMulBiasOp(a, b, bias) : matMulOp(a, b);
}

const matMulOp = defineCustomGrad<[tf.Tensor2D, tf.Tensor2D], tf.Tensor2D>((a, b, save) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy, saved) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy)];
    },
  };
});

const matMulBiasOp = defineCustomGrad<[tf.Tensor2D, tf.Tensor2D, tf.Tensor1D], tf.Tensor2D>((a, b, bias, save) => {
  save([a, b]);
  return {
    value: tf.fused.matMul({ a, b, bias }) as tf.Tensor2D,
    gradFunc: (dy, saved) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy), dy.sum(0)];
    },
  };
});

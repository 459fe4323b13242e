import * as tf from '@tensorflow/tfjs';
import { OpArgumentError } from './errors';

/**
 * LayerNorm over the last axis with an explicit eps (ConvNeXt and ViT use 1e-6; tfjs-layers'
 * default 1e-3 is wrong for them). For NHWC maps this is ConvNeXt's "channels_first" LayerNorm.
 * Biased variance, as PyTorch.
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor {
  const c = x.shape[x.rank - 1];
  if (gamma.shape[0] !== c) throw new OpArgumentError(`layerNorm: input has ${c} features, gamma has ${gamma.shape[0]}`);
  if (beta.shape[0] !== c) throw new OpArgumentError(`layerNorm: input has ${c} features, beta has ${beta.shape[0]}`);
  return tf.tidy(() => {
    const axis = x.rank - 1;
    const mean = x.mean(axis, true);
    const centered = x.sub(mean);
    const variance = centered.square().mean(axis, true);
    return centered.mul(variance.add(eps).rsqrt()).mul(gamma).add(beta);
  });
}

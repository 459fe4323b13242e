import * as tf from '@tensorflow/tfjs';
import { defineCustomGrad } from './custom-grad';

/**
 * Identity in the forward pass, zero gradient in the backward pass (PyTorch's `.detach()`).
 * TF.js has no stop-gradient op; this one works on every backend.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detach(x) as T;
}

const detach = defineCustomGrad<[tf.Tensor], tf.Tensor>((input) => ({
  value: input.clone(),
  gradFunc: (dy) => tf.zerosLike(dy),
}));

import * as tf from '@tensorflow/tfjs';
import { Module, gelu, linear, xavierUniform, zerosInit, type Rng } from '@terramae/tensors';

/** Options of {@link Mlp}. */
export interface MlpOptions {
  /** Input and output width. */
  readonly dim: number;
  /** Hidden width (ViT: `4 · dim`). */
  readonly hiddenDim: number;
  /** Generator of the initial weights. */
  readonly rng: Rng;
}

/**
 * The transformer feed-forward block as timm's `Mlp`: `fc2(GELU(fc1(x)))` with the exact (erf)
 * GELU and no dropout. Parameters `fc1.weight`, `fc1.bias`, `fc2.weight`, `fc2.bias`; weights
 * xavier-uniform, biases zero.
 */
export class Mlp extends Module {
  private readonly fc1Weight: tf.Variable;
  private readonly fc1Bias: tf.Variable;
  private readonly fc2Weight: tf.Variable;
  private readonly fc2Bias: tf.Variable;

  constructor(options: MlpOptions) {
    super();
    const { dim, hiddenDim, rng } = options;
    this.fc1Weight = this.param('fc1.weight', xavierUniform([dim, hiddenDim], rng, dim, hiddenDim), { torchLayout: 'linear' });
    this.fc1Bias = this.param('fc1.bias', zerosInit([hiddenDim]));
    this.fc2Weight = this.param('fc2.weight', xavierUniform([hiddenDim, dim], rng, hiddenDim, dim), { torchLayout: 'linear' });
    this.fc2Bias = this.param('fc2.bias', zerosInit([dim]));
  }

  /** `[..., dim] → [..., dim]`. */
  forward<T extends tf.Tensor>(x: T): T {
    return tf.tidy(() => {
      const hidden = gelu(linear(x, this.fc1Weight as tf.Tensor2D, this.fc1Bias as tf.Tensor1D));
      return linear(hidden, this.fc2Weight as tf.Tensor2D, this.fc2Bias as tf.Tensor1D) as T;
    });
  }
}

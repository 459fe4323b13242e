import * as tf from '@tensorflow/tfjs';
import { Module, linear, xavierUniform, zerosInit, type Rng } from '@terramae/tensors';
import { scaledDotProductAttention } from './scaled-dot-product-attention';

/** Options of {@link Attention}. */
export interface AttentionOptions {
  /** Token width D (a multiple of `numHeads`). */
  readonly dim: number;
  /** Number of heads H. */
  readonly numHeads: number;
  /** Whether the qkv projection has a bias (MAE and NeighborMAE: true). Default true. */
  readonly qkvBias?: boolean;
  /** Generator of the initial weights. */
  readonly rng: Rng;
}

/**
 * Multi-head self-attention as timm's ViT `Attention`: one `qkv` linear `D → 3D` (split into
 * `(3, H, D/H)` in that order), scaled dot-product attention per head with an optional additive
 * bias (key padding), and an output projection `proj`. Parameters `qkv.weight`, `qkv.bias`,
 * `proj.weight`, `proj.bias` in PyTorch naming; weights xavier-uniform over the whole `[3D, D]`
 * matrix, biases zero (MAE / NeighborMAE `_init_weights`).
 */
export class Attention extends Module {
  /** Token width. */
  readonly dim: number;
  /** Heads. */
  readonly numHeads: number;
  /** Width of one head. */
  readonly headDim: number;
  private readonly qkvWeight: tf.Variable;
  private readonly qkvBias?: tf.Variable;
  private readonly projWeight: tf.Variable;
  private readonly projBias: tf.Variable;

  constructor(options: AttentionOptions) {
    super();
    const { dim, numHeads, rng } = options;
    if (!Number.isInteger(numHeads) || numHeads < 1 || dim % numHeads !== 0) {
      throw new RangeError(`Attention: dim ${dim} must be a positive multiple of numHeads ${numHeads}`);
    }
    this.dim = dim;
    this.numHeads = numHeads;
    this.headDim = dim / numHeads;
    this.qkvWeight = this.param('qkv.weight', xavierUniform([dim, 3 * dim], rng, dim, 3 * dim), { torchLayout: 'linear' });
    if (options.qkvBias ?? true) this.qkvBias = this.param('qkv.bias', zerosInit([3 * dim]));
    this.projWeight = this.param('proj.weight', xavierUniform([dim, dim], rng, dim, dim), { torchLayout: 'linear' });
    this.projBias = this.param('proj.bias', zerosInit([dim]));
  }

  /**
   * @param x `[B, N, D]` tokens.
   * @param bias optional additive logit bias broadcastable to `[B, H, N, N]` (see `keyPaddingBias`).
   * @returns `[B, N, D]`.
   */
  forward(x: tf.Tensor3D, bias?: tf.Tensor): tf.Tensor3D {
    const [b, n, d] = x.shape;
    if (d !== this.dim) throw new RangeError(`Attention: input has ${d} features, the layer expects ${this.dim}`);
    const h = this.numHeads;
    const hd = this.headDim;
    return tf.tidy(() => {
      // The qkv features are laid out (3, H, hd). Heads to the batch axis with one rank-4 transpose:
      // wasm runs rank-5 transposes on a generic path that is ~50x slower.
      const qkv = linear(x, this.qkvWeight as tf.Tensor2D, this.qkvBias as tf.Tensor1D | undefined)
        .reshape([b, n, 3 * h, hd])
        .transpose([0, 2, 1, 3]);
      const [q, k, v] = tf.split(qkv, 3, 1).map((t) => t.reshape([b * h, n, hd])) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
      const out = scaledDotProductAttention(q, k, v, h, bias)
        .reshape([b, h, n, hd])
        .transpose([0, 2, 1, 3])
        .reshape([b, n, d]);
      return linear(out, this.projWeight as tf.Tensor2D, this.projBias as tf.Tensor1D) as tf.Tensor3D;
    });
  }
}

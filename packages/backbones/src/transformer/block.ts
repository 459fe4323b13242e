import * as tf from '@tensorflow/tfjs';
import { Module, layerNorm, onesInit, zerosInit, type Rng } from '@terramae/tensors';
import { Attention } from './attention';
import { dropPath } from './drop-path';
import { Mlp } from './mlp';

/** Options of {@link TransformerBlock}. */
export interface TransformerBlockOptions {
  /** Token width D. */
  readonly dim: number;
  /** Attention heads. */
  readonly numHeads: number;
  /** Hidden width of the MLP as a multiple of D. Default 4. */
  readonly mlpRatio?: number;
  /** Bias on the qkv projection. Default true (MAE, NeighborMAE). */
  readonly qkvBias?: boolean;
  /** LayerNorm epsilon. Default 1e-6 (MAE's `partial(nn.LayerNorm, eps=1e-6)`). */
  readonly eps?: number;
  /** Stochastic-depth rate of both residual branches (training mode only). Default 0. */
  readonly dropPath?: number;
  /** Generator of the initial weights. */
  readonly rng: Rng;
  /** Generator of the drop-path draws during training. Default: a fork of `rng` taken after init. */
  readonly dropPathRng?: Rng;
}

/**
 * A pre-LN transformer block as timm's ViT `Block` (timm 0.3.2 in MAE, `models/block.py` in
 * NeighborMAE): `x + attn(norm1(x))`, then `x + mlp(norm2(x))`, each branch under drop path.
 * Parameters `norm1.*`, `attn.qkv.*`, `attn.proj.*`, `norm2.*`, `mlp.fc1.*`, `mlp.fc2.*`. LayerNorms
 * start at (1, 0). Reused by the ViT encoder and by the MAE / NeighborMAE decoders.
 */
export class TransformerBlock extends Module {
  /** Token width. */
  readonly dim: number;
  /** Stochastic-depth rate. */
  readonly dropPathRate: number;
  /** LayerNorm epsilon. */
  readonly eps: number;
  /** The attention sub-module. */
  readonly attn: Attention;
  /** The MLP sub-module. */
  readonly mlp: Mlp;
  private readonly norm1Weight: tf.Variable;
  private readonly norm1Bias: tf.Variable;
  private readonly norm2Weight: tf.Variable;
  private readonly norm2Bias: tf.Variable;
  private readonly dropRng: Rng;

  constructor(options: TransformerBlockOptions) {
    super();
    const { dim, numHeads, rng } = options;
    this.dim = dim;
    this.eps = options.eps ?? 1e-6;
    this.dropPathRate = options.dropPath ?? 0;
    if (!(this.dropPathRate >= 0 && this.dropPathRate < 1)) {
      throw new RangeError(`TransformerBlock: dropPath must be in [0, 1), got ${this.dropPathRate}`);
    }
    const mlpRatio = options.mlpRatio ?? 4;
    this.norm1Weight = this.param('norm1.weight', onesInit([dim]));
    this.norm1Bias = this.param('norm1.bias', zerosInit([dim]));
    this.attn = this.module('attn', new Attention({ dim, numHeads, qkvBias: options.qkvBias ?? true, rng }));
    this.norm2Weight = this.param('norm2.weight', onesInit([dim]));
    this.norm2Bias = this.param('norm2.bias', zerosInit([dim]));
    this.mlp = this.module('mlp', new Mlp({ dim, hiddenDim: Math.floor(dim * mlpRatio), rng }));
    this.dropRng = options.dropPathRng ?? rng.fork();
  }

  /**
   * @param x `[B, N, D]` tokens.
   * @param bias optional additive attention-logit bias broadcastable to `[B, H, N, N]`
   *   (a key-padding mask from `keyPaddingBias`).
   * @returns `[B, N, D]`.
   */
  forward(x: tf.Tensor3D, bias?: tf.Tensor): tf.Tensor3D {
    return tf.tidy(() => {
      const rate = this.training ? this.dropPathRate : 0;
      const a = this.attn.forward(layerNorm(x, this.norm1Weight as tf.Tensor1D, this.norm1Bias as tf.Tensor1D, this.eps) as tf.Tensor3D, bias);
      const h = x.add(dropPath(a, rate, this.dropRng)) as tf.Tensor3D;
      const m = this.mlp.forward(layerNorm(h, this.norm2Weight as tf.Tensor1D, this.norm2Bias as tf.Tensor1D, this.eps) as tf.Tensor3D);
      return h.add(dropPath(m, rate, this.dropRng)) as tf.Tensor3D;
    });
  }
}

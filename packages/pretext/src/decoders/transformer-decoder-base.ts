import * as tf from '@tensorflow/tfjs';
import { TransformerBlock } from '@terramae/backbones';
import { Module, ModuleList, layerNorm, linear, normalInit, onesInit, xavierUniform, zerosInit, type Rng } from '@terramae/tensors';
import { DecoderInputError } from './decoder-input-error';

/** Sizes of a lightweight MAE-style transformer decoder. */
export interface TransformerDecoderOptions {
  /** Width of the encoder output the decoder reads. */
  readonly encoderDim: number;
  /** Decoder token width (MAE / NeighborMAE: 512). */
  readonly decoderDim: number;
  /** Number of decoder blocks (MAE / NeighborMAE: 8). */
  readonly depth: number;
  /** Attention heads per block (MAE / NeighborMAE: 16). */
  readonly numHeads: number;
  /** MLP hidden width as a multiple of `decoderDim`. Default 4. */
  readonly mlpRatio?: number;
  /** LayerNorm epsilon. Default 1e-6. */
  readonly eps?: number;
  /** Values predicted per token (MAE: `p·p·C`). */
  readonly outputDim: number;
  /** Generator of the initial weights. */
  readonly rng: Rng;
}

/**
 * The parts every MAE-style decoder shares, with the reference parameter names: `decoder_embed`
 * (linear, encoder width → decoder width), `mask_token` `[1, 1, Dd]`, `decoder_blocks.<i>` (pre-LN
 * transformer blocks), `decoder_norm` and `decoder_pred` (linear → `outputDim`). Linear weights are
 * xavier-uniform with zero bias, the mask token `N(0, 0.02²)`, LayerNorms (1, 0), as MAE's and
 * NeighborMAE's `initialize_weights`. Subclasses add the position embedding and decide how tokens
 * are assembled.
 */
export abstract class TransformerDecoderBase extends Module {
  /** Width of the encoder output read by `decoder_embed`. */
  readonly encoderDim: number;
  /** Decoder token width. */
  readonly decoderDim: number;
  /** Values predicted per token. */
  readonly outputDim: number;
  /** LayerNorm epsilon. */
  readonly eps: number;
  /** The decoder blocks (`decoder_blocks.<i>`). */
  readonly decoderBlocks: ModuleList<TransformerBlock>;
  /** `mask_token` `[1, 1, Dd]`. */
  protected readonly maskToken: tf.Variable;
  private readonly embedWeight: tf.Variable;
  private readonly embedBias: tf.Variable;
  private readonly normWeight: tf.Variable;
  private readonly normBias: tf.Variable;
  private readonly predWeight: tf.Variable;
  private readonly predBias: tf.Variable;

  protected constructor(options: TransformerDecoderOptions) {
    super();
    const { encoderDim, decoderDim, depth, numHeads, outputDim, rng } = options;
    for (const [name, v] of [
      ['encoderDim', encoderDim],
      ['decoderDim', decoderDim],
      ['depth', depth],
      ['numHeads', numHeads],
      ['outputDim', outputDim],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new DecoderInputError(`${new.target.name}: option '${name}' must be a positive integer, got ${v}`);
    }
    if (decoderDim % numHeads !== 0) {
      throw new DecoderInputError(`${new.target.name}: decoderDim ${decoderDim} is not divisible by numHeads ${numHeads}; choose a width that is a multiple of the head count`);
    }
    this.encoderDim = encoderDim;
    this.decoderDim = decoderDim;
    this.outputDim = outputDim;
    this.eps = options.eps ?? 1e-6;
    this.embedWeight = this.param('decoder_embed.weight', xavierUniform([encoderDim, decoderDim], rng, encoderDim, decoderDim), { torchLayout: 'linear' });
    this.embedBias = this.param('decoder_embed.bias', zerosInit([decoderDim]));
    this.maskToken = this.param('mask_token', normalInit([1, 1, decoderDim], rng, 0.02));
    this.decoderBlocks = this.module('decoder_blocks', new ModuleList<TransformerBlock>());
    for (let i = 0; i < depth; i++) {
      this.decoderBlocks.push(new TransformerBlock({ dim: decoderDim, numHeads, mlpRatio: options.mlpRatio ?? 4, qkvBias: true, eps: this.eps, rng }));
    }
    this.normWeight = this.param('decoder_norm.weight', onesInit([decoderDim]));
    this.normBias = this.param('decoder_norm.bias', zerosInit([decoderDim]));
    this.predWeight = this.param('decoder_pred.weight', xavierUniform([decoderDim, outputDim], rng, decoderDim, outputDim), { torchLayout: 'linear' });
    this.predBias = this.param('decoder_pred.bias', zerosInit([outputDim]));
  }

  /** `decoder_embed`: `[..., encoderDim] → [..., decoderDim]`. */
  protected embed(x: tf.Tensor3D): tf.Tensor3D {
    if (x.shape[2] !== this.encoderDim) {
      throw new DecoderInputError(`${this.constructor.name}: encoder tokens have width ${x.shape[2]}, the decoder was built for ${this.encoderDim}`);
    }
    return linear(x, this.embedWeight as tf.Tensor2D, this.embedBias as tf.Tensor1D) as tf.Tensor3D;
  }

  /** Run every decoder block (joint self-attention over all tokens of a row, no mask). */
  protected blocks(x: tf.Tensor3D): tf.Tensor3D {
    let h = x;
    for (const block of this.decoderBlocks.items) h = block.forward(h);
    return h;
  }

  /** `decoder_norm` then `decoder_pred`: `[..., decoderDim] → [..., outputDim]`. */
  protected predict(x: tf.Tensor3D): tf.Tensor3D {
    const normed = layerNorm(x, this.normWeight as tf.Tensor1D, this.normBias as tf.Tensor1D, this.eps);
    return linear(normed, this.predWeight as tf.Tensor2D, this.predBias as tf.Tensor1D) as tf.Tensor3D;
  }

  /**
   * Fill a `[N, K, Dd]` run of embedded encoder tokens out to `[N, L, Dd]` slots in shuffled order:
   * slot `s` of image `i` holds encoder token `s` when `s < keep[i]`, the mask token otherwise
   * (MAE appends mask tokens after the K kept tokens; NeighborMAE also replaces kept slots beyond
   * an image's own keep count). The mask token enters by broadcasting, so its gradient is a sum.
   */
  protected fillMaskTokens(tokens: tf.Tensor3D, length: number, keep: readonly number[]): tf.Tensor3D {
    const [n, k, d] = tokens.shape;
    if (keep.length !== n) throw new DecoderInputError(`${this.constructor.name}: ${keep.length} keep counts for ${n} images`);
    if (k > length) throw new DecoderInputError(`${this.constructor.name}: ${k} encoder tokens per image but only ${length} patches`);
    const hidden = new Float32Array(n * length);
    let any = false;
    for (let i = 0; i < n; i++) {
      const kept = keep[i] as number;
      if (!Number.isInteger(kept) || kept < 0 || kept > k) {
        throw new DecoderInputError(`${this.constructor.name}: keep count ${kept} of image ${i} must be an integer in [0, ${k}] (the encoder saw ${k} tokens)`);
      }
      for (let s = kept; s < length; s++) {
        hidden[i * length + s] = 1;
        any = true;
      }
    }
    return tf.tidy(() => {
      const full = k < length ? tf.concat([tokens, tf.zeros([n, length - k, d])], 1) : tokens;
      if (!any) return full.clone() as tf.Tensor3D;
      const m = tf.tensor3d(hidden, [n, length, 1]);
      return full.mul(tf.scalar(1).sub(m)).add(this.maskToken.mul(m)) as tf.Tensor3D;
    });
  }

  /**
   * Replace the tokens of hidden patches by the mask token: `[N, L, Dd]` tokens, `[N, L]` mask with
   * 1 = hidden (grid encoders, whose output has a cell for every patch).
   */
  protected replaceMasked(tokens: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor3D {
    const [n, l] = tokens.shape;
    if (mask.shape[0] !== n || mask.shape[1] !== l) {
      throw new DecoderInputError(`${this.constructor.name}: mask is [${mask.shape.join(', ')}], expected [${n}, ${l}] (one flag per token, 1 = hidden)`);
    }
    return tf.tidy(() => {
      const m = mask.toFloat().reshape([n, l, 1]);
      return tokens.mul(tf.scalar(1).sub(m)).add(this.maskToken.mul(m)) as tf.Tensor3D;
    });
  }
}

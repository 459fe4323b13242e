import * as tf from '@tensorflow/tfjs';
import { gatherTokens, posEmbed2dSinCos } from '@terramae/tensors';
import { DecoderInputError } from './decoder-input-error';
import { TransformerDecoderBase, type TransformerDecoderOptions } from './transformer-decoder-base';

/** Options of {@link MaeDecoder}. */
export interface MaeDecoderOptions extends TransformerDecoderOptions {
  /** The patch grid `[h, w]` the fixed `decoder_pos_embed` is built for. */
  readonly grid: readonly [number, number];
}

/** Inputs of {@link MaeDecoder.forward}. */
export interface MaeDecoderInputs {
  /** `[N, 1 + K, D]` encoder output, class token first (MAE `forward_encoder`'s latent). */
  readonly tokens: tf.Tensor3D;
  /** `[N, L]` int32, `argsort(idsShuffle)`: undoes the shuffle. */
  readonly idsRestore: tf.Tensor2D;
  /**
   * Visible patches per image (default K for every image). Kept slots at or beyond an image's
   * count (disabled keys) are replaced by the mask token like the removed patches.
   */
  readonly keep?: readonly number[];
}

/**
 * MAE's transformer decoder (facebookresearch/mae `forward_decoder`): `decoder_embed`, mask tokens
 * appended after the kept tokens, unshuffle with `idsRestore`, the class token put back, the fixed
 * 2-D sin-cos `decoder_pos_embed` `[1, 1 + L, Dd]` (a non-trainable buffer with a zero class row)
 * added, `decoder_blocks`, `decoder_norm`, `decoder_pred`, class token removed.
 *
 * Parameter names are the reference's (`decoder_embed.*`, `mask_token`, `decoder_pos_embed`,
 * `decoder_blocks.<i>.*`, `decoder_norm.*`, `decoder_pred.*`), so a MAE state dict loads by name.
 */
export class MaeDecoder extends TransformerDecoderBase {
  /** The patch grid of `decoder_pos_embed`. */
  readonly grid: readonly [number, number];
  private readonly posEmbed: tf.Variable;

  constructor(options: MaeDecoderOptions) {
    super(options);
    const [gh, gw] = options.grid;
    if (!Number.isInteger(gh) || !Number.isInteger(gw) || gh < 1 || gw < 1) {
      throw new DecoderInputError(`MaeDecoder: grid must be two positive integers, got [${options.grid.join(', ')}]`);
    }
    if (options.decoderDim % 4 !== 0) {
      throw new DecoderInputError(`MaeDecoder: decoderDim must be a multiple of 4 for the 2-D sin-cos position embedding, got ${options.decoderDim}`);
    }
    this.grid = [gh, gw];
    this.posEmbed = this.param('decoder_pos_embed', tf.tidy(() => posEmbed2dSinCos(options.decoderDim, gh, gw, true).reshape([1, 1 + gh * gw, options.decoderDim])), {
      trainable: false,
      noWeightDecay: true,
    });
  }

  /**
   * Decode kept tokens into per-patch predictions.
   *
   * @returns `[N, L, outputDim]` in the original patch order (class token removed).
   */
  forward(inputs: MaeDecoderInputs): tf.Tensor3D {
    const { tokens, idsRestore } = inputs;
    const [n, t] = tokens.shape;
    const l = this.grid[0] * this.grid[1];
    const k = t - 1;
    if (idsRestore.shape[0] !== n || idsRestore.shape[1] !== l) {
      throw new DecoderInputError(`MaeDecoder: idsRestore is [${idsRestore.shape.join(', ')}], expected [${n}, ${l}] for a ${this.grid[0]}×${this.grid[1]} grid`);
    }
    if (k < 0 || k > l) throw new DecoderInputError(`MaeDecoder: ${t} encoder tokens per image (class token + kept), expected between 1 and ${l + 1}`);
    const keep = inputs.keep ?? new Array<number>(n).fill(k);
    return tf.tidy(() => {
      const x = this.embed(tokens);
      const cls = x.slice([0, 0, 0], [n, 1, this.decoderDim]);
      const kept = x.slice([0, 1, 0], [n, k, this.decoderDim]);
      const shuffled = this.fillMaskTokens(kept, l, keep);
      const restored = gatherTokens(shuffled, idsRestore);
      const seq = tf.concat([cls, restored], 1).add(this.posEmbed) as tf.Tensor3D;
      const out = this.predict(this.blocks(seq));
      return out.slice([0, 1, 0], [n, l, this.outputDim]);
    });
  }
}

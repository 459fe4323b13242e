import * as tf from '@tensorflow/tfjs';
import { gatherTokens, normalInit } from '@terramae/tensors';
import { DecoderInputError } from './decoder-input-error';
import { TransformerDecoderBase, type TransformerDecoderOptions } from './transformer-decoder-base';
import { viewPositionEmbedding } from './view-pos-embed';

/** Options of {@link MultiViewMaeDecoder}. */
export interface MultiViewMaeDecoderOptions extends TransformerDecoderOptions {
  /** Rows of `decoder_img_embed`: the most views per sample the decoder accepts (NeighborMAE: 2). */
  readonly numViews: number;
}

/** Inputs of {@link MultiViewMaeDecoder.forward}. */
export interface MultiViewMaeDecoderInputs {
  /** `[B, 1 + V·K, D]` joint encoder output: one class token, then K kept tokens per view. */
  readonly tokens: tf.Tensor3D;
  /** Views per sample V. */
  readonly views: number;
  /** Patch grid `[h, w]` of every view. */
  readonly grid: readonly [number, number];
  /** `[B·V, L]` int32 `argsort(noise)` per view. */
  readonly idsShuffle: tf.Tensor2D;
  /** `[B·V, L]` int32 `argsort(idsShuffle)`. */
  readonly idsRestore: tf.Tensor2D;
  /** Visible patches per view (`B·V` entries, each ≤ K); slots beyond it become mask tokens. */
  readonly keep: readonly number[];
  /** `[B, V, 4]` footprint boxes normalised to each sample's frame (NeighborMAE: union → `[0, 32]²`). */
  readonly boxes: tf.Tensor3D;
}

/**
 * NeighborMAE's decoder (specs/neighbormae.md §4 steps 6–8): joint self-attention over every view
 * of a sample. `decoder_embed` maps the encoder tokens; per view a length-L sequence is built in
 * **shuffled** order (encoder token where the shuffled slot is below the view's keep count, the
 * mask token elsewhere); the decoder position embedding (box sin-cos plus `decoder_img_embed[v]`)
 * is gathered by `idsShuffle`; the class token (zero position embedding) and all views' tokens
 * run through `decoder_blocks` together (1 + V·L tokens, no mask); after `decoder_norm` and
 * `decoder_pred` the prediction is unshuffled with `idsRestore`.
 *
 * Parameter names are NeighborMAE's: `decoder_embed.*`, `mask_token`, `decoder_img_embed`
 * `[1, V, Dd]` (init `N(0, 0.02²)`), `decoder_blocks.<i>.*`, `decoder_norm.*`, `decoder_pred.*`.
 */
export class MultiViewMaeDecoder extends TransformerDecoderBase {
  /** Rows of `decoder_img_embed`. */
  readonly numViews: number;
  private readonly imgEmbed: tf.Variable;

  constructor(options: MultiViewMaeDecoderOptions) {
    super(options);
    if (!Number.isInteger(options.numViews) || options.numViews < 1) {
      throw new DecoderInputError(`MultiViewMaeDecoder: numViews must be a positive integer, got ${options.numViews}`);
    }
    if (options.decoderDim % 8 !== 0) {
      throw new DecoderInputError(`MultiViewMaeDecoder: decoderDim must be a multiple of 8 for the box position embedding, got ${options.decoderDim}`);
    }
    this.numViews = options.numViews;
    this.imgEmbed = this.param('decoder_img_embed', normalInit([1, options.numViews, options.decoderDim], options.rng, 0.02));
  }

  /**
   * The decoder position embedding of every patch in the original order (NeighborMAE
   * `make_pos_embed(pos)[1]`): box sin-cos plus `decoder_img_embed[v]`, `[B·V, h·w, Dd]`.
   *
   * @param boxes `[B, V, 4]` normalised footprint boxes.
   */
  positionEmbedding(boxes: tf.Tensor3D, grid: readonly [number, number]): tf.Tensor3D {
    if (boxes.rank !== 3 || boxes.shape[2] !== 4 || boxes.shape[1] > this.numViews) {
      throw new DecoderInputError(`MultiViewMaeDecoder: boxes are [${boxes.shape.join(', ')}], expected [B, V ≤ ${this.numViews}, 4]`);
    }
    return viewPositionEmbedding(boxes, this.imgEmbed, grid);
  }

  /** @returns `[B·V, L, outputDim]` in the original patch order, view-major inside a sample. */
  forward(inputs: MultiViewMaeDecoderInputs): tf.Tensor3D {
    const { tokens, views, grid, idsShuffle, idsRestore, keep, boxes } = inputs;
    const [b, t] = tokens.shape;
    const l = grid[0] * grid[1];
    const n = b * views;
    if (!Number.isInteger(views) || views < 1 || views > this.numViews) {
      throw new DecoderInputError(`MultiViewMaeDecoder: ${views} views per sample, but decoder_img_embed has ${this.numViews} rows; build the decoder with numViews ≥ ${views}`);
    }
    if ((t - 1) % views !== 0) {
      throw new DecoderInputError(`MultiViewMaeDecoder: ${t} joint encoder tokens is not 1 + ${views}·K; pass the joint encoder output [B, 1 + V·K, D] (a ViT with box position embedding)`);
    }
    const k = (t - 1) / views;
    for (const [name, ids] of [
      ['idsShuffle', idsShuffle],
      ['idsRestore', idsRestore],
    ] as const) {
      if (ids.shape[0] !== n || ids.shape[1] !== l) {
        throw new DecoderInputError(`MultiViewMaeDecoder: ${name} is [${ids.shape.join(', ')}], expected [${n}, ${l}] (${b} samples × ${views} views, ${grid[0]}×${grid[1]} patches)`);
      }
    }
    if (boxes.rank !== 3 || boxes.shape[0] !== b || boxes.shape[1] !== views || boxes.shape[2] !== 4) {
      throw new DecoderInputError(`MultiViewMaeDecoder: boxes are [${boxes.shape.join(', ')}], expected [${b}, ${views}, 4]`);
    }
    const dd = this.decoderDim;
    return tf.tidy(() => {
      const x = this.embed(tokens);
      const cls = x.slice([0, 0, 0], [b, 1, dd]);
      const kept = x.slice([0, 1, 0], [b, views * k, dd]).reshape([n, k, dd]) as tf.Tensor3D;
      const shuffled = this.fillMaskTokens(kept, l, keep);
      const pos = gatherTokens(this.positionEmbedding(boxes, grid), idsShuffle);
      const seq = tf.concat([cls, shuffled.add(pos).reshape([b, views * l, dd])], 1) as tf.Tensor3D;
      const decoded = this.blocks(seq).slice([0, 1, 0], [b, views * l, dd]).reshape([n, l, dd]) as tf.Tensor3D;
      return gatherTokens(this.predict(decoded), idsRestore);
    });
  }
}

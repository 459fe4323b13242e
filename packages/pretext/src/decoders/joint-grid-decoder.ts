import * as tf from '@tensorflow/tfjs';
import { normalInit } from '@terramae/tensors';
import { DecoderInputError } from './decoder-input-error';
import { TransformerDecoderBase, type TransformerDecoderOptions } from './transformer-decoder-base';
import { viewPositionEmbedding } from './view-pos-embed';

/** Options of {@link JointGridDecoder}. */
export interface JointGridDecoderOptions extends TransformerDecoderOptions {
  /** Rows of `decoder_img_embed`: the most views per sample the decoder accepts. Default 2. */
  readonly numViews?: number;
}

/** Inputs of {@link JointGridDecoder.forward}. */
export interface JointGridDecoderInputs {
  /** `[B·V, h, w, D]` grid encoder output, each view encoded alone (zero at hidden cells). */
  readonly features: tf.Tensor4D;
  /** `[B·V, h·w]` the mask the encoder ran with, 1 = hidden, row-major over the grid. */
  readonly mask: tf.Tensor2D;
  /** Views per sample V. */
  readonly views: number;
  /** `[B, V, 4]` footprint boxes normalised to each sample's frame. */
  readonly boxes: tf.Tensor3D;
}

/**
 * The neighbour hybrid's decoder for grid encoders (ConvNeXt V2 in FCMAE masked mode), which no
 * reference has: every view is encoded alone, then one transformer decoder attends jointly over the
 * cells of all views of a sample, so the neighbour's visible cells can inform the reconstruction,
 * as in NeighborMAE.
 *
 * Per view, every cell of the `h × w` output grid becomes a token: `decoder_embed` of its feature,
 * or `mask_token` where the cell was hidden; NeighborMAE's position embedding is added (sin-cos of
 * each cell's footprint box plus `decoder_img_embed[v]`); the V·h·w tokens of a sample run through
 * `decoder_blocks` together (no class token, no mask); `decoder_norm` and `decoder_pred` give the
 * `p·p·C` pixels of each cell. Cells stay in the original order throughout (attention is
 * permutation-equivariant, so no shuffle is needed). Parameter names as {@link MultiViewMaeDecoder}.
 */
export class JointGridDecoder extends TransformerDecoderBase {
  /** Rows of `decoder_img_embed`. */
  readonly numViews: number;
  private readonly imgEmbed: tf.Variable;

  constructor(options: JointGridDecoderOptions) {
    super(options);
    const numViews = options.numViews ?? 2;
    if (!Number.isInteger(numViews) || numViews < 1) throw new DecoderInputError(`JointGridDecoder: numViews must be a positive integer, got ${numViews}`);
    if (options.decoderDim % 8 !== 0) {
      throw new DecoderInputError(`JointGridDecoder: decoderDim must be a multiple of 8 for the box position embedding, got ${options.decoderDim}`);
    }
    this.numViews = numViews;
    this.imgEmbed = this.param('decoder_img_embed', normalInit([1, numViews, options.decoderDim], options.rng, 0.02));
  }

  /**
   * The decoder position embedding of every patch in the original order (NeighborMAE
   * `make_pos_embed(pos)[1]`): box sin-cos plus `decoder_img_embed[v]`, `[B·V, h·w, Dd]`.
   *
   * @param boxes `[B, V, 4]` normalised footprint boxes.
   */
  positionEmbedding(boxes: tf.Tensor3D, grid: readonly [number, number]): tf.Tensor3D {
    if (boxes.rank !== 3 || boxes.shape[2] !== 4 || boxes.shape[1] > this.numViews) {
      throw new DecoderInputError(`JointGridDecoder: boxes are [${boxes.shape.join(', ')}], expected [B, V ≤ ${this.numViews}, 4]`);
    }
    return viewPositionEmbedding(boxes, this.imgEmbed, grid);
  }

  /** @returns `[B·V, h·w, outputDim]` per-cell predictions, original order, view-major inside a sample. */
  forward(inputs: JointGridDecoderInputs): tf.Tensor3D {
    const { features, mask, views, boxes } = inputs;
    if (features.rank !== 4) throw new DecoderInputError(`JointGridDecoder: features must be an NHWC grid [B·V, h, w, D], got rank ${features.rank}`);
    const [n, h, w, d] = features.shape;
    if (!Number.isInteger(views) || views < 1 || views > this.numViews || n % views !== 0) {
      throw new DecoderInputError(`JointGridDecoder: views = ${views} must divide the batch ${n} and be at most numViews = ${this.numViews}`);
    }
    const b = n / views;
    if (boxes.rank !== 3 || boxes.shape[0] !== b || boxes.shape[1] !== views || boxes.shape[2] !== 4) {
      throw new DecoderInputError(`JointGridDecoder: boxes are [${boxes.shape.join(', ')}], expected [${b}, ${views}, 4]`);
    }
    const l = h * w;
    const dd = this.decoderDim;
    return tf.tidy(() => {
      const tokens = this.replaceMasked(this.embed(features.reshape([n, l, d]) as tf.Tensor3D), mask);
      const seq = tokens.add(this.positionEmbedding(boxes, [h, w])).reshape([b, views * l, dd]) as tf.Tensor3D;
      const decoded = this.blocks(seq).reshape([n, l, dd]) as tf.Tensor3D;
      return this.predict(decoded);
    });
  }
}

import * as tf from '@tensorflow/tfjs';
import {
  Module,
  ModuleList,
  Rng,
  boxPosEmbed,
  gatherRows,
  gatherTokens,
  layerNorm,
  linear,
  normalInit,
  onesInit,
  patchify,
  posEmbed2dSinCos,
  xavierUniform,
  zerosInit,
  type EncoderOutput,
} from '@terramae/tensors';
import { keyPaddingBias } from '../transformer/attention-bias';
import { TransformerBlock } from '../transformer/block';
import type { Backbone, BackboneFeatures, MaskedForwardOptions } from '../types';
import { resolveVitConfig, type ResolvedVitConfig, type VitOptions, type VitPosEmbed } from './config';
import { VitError } from './errors';

/** The box NeighborMAE's converted single-image models use when no footprint is given: the whole `[0, 32]²` frame. */
export const DEFAULT_VIEW_BOX: readonly [number, number, number, number] = [0, 32, 32, 0];

/** Options of {@link VisionTransformer.forwardFeatures}. */
export interface VitFeatureOptions {
  /** Also return the final patch tokens as an NHWC map `[B, h, w, D]` (single view only). */
  readonly pyramid?: boolean;
  /** Override the configured pooling. */
  readonly pool?: 'cls' | 'mean';
  /** Views per sample (box position embedding only; see {@link MaskedForwardOptions.views}). */
  readonly views?: number;
  /** Footprint boxes `[B, views, 4]` (box position embedding only). */
  readonly boxes?: tf.Tensor3D;
}

/**
 * A Vision Transformer encoder as MAE's (`models_mae.py`, timm 0.3.2 blocks) and NeighborMAE's
 * (`models/neighbor_mae.py`): a patch embedding applied as a matMul over patchified input, a class
 * token, a position embedding (fixed 2-D sin-cos, or footprint boxes plus a learnable per-view
 * embedding), pre-LN transformer blocks and a final LayerNorm.
 *
 * Parameter names follow the reference state dicts: `cls_token`, `pos_embed` (sincos, a
 * non-trainable buffer `[1, 1+L, D]`), `patch_embed.proj.weight` / `.bias` (sincos: MAE's Conv2d,
 * stored as a `[p·p·C, D]` matrix with torch layout `patch-linear`) or `patch_embed.weight` /
 * `.bias` (box: NeighborMAE's `nn.Linear`), `img_embed` (box, `[1, V, D]`), `blocks.<i>.*`, `norm.*`.
 *
 * The masked forward encodes only the patches in `idsKeep` (MAE's `forward_encoder`). With
 * `posEmbed: 'box'` the views of a sample attend jointly and share one class token
 * (`[B, 1 + V·K, D]`, `joint: true`); with `'sincos'` every view is an independent image.
 */
export class VisionTransformer extends Module implements Backbone {
  /** Always `tokens`. */
  readonly layout = 'tokens' as const;
  /** The resolved configuration. */
  readonly config: ResolvedVitConfig;
  /** Token width D. */
  readonly dim: number;
  /** Patch side in pixels. */
  readonly patchSize: number;
  /** Input channels. */
  readonly inChannels: number;
  /** Position-embedding kind. */
  readonly posEmbedKind: VitPosEmbed;
  /** Patch grid `[h, w]` of the configured image size. */
  readonly grid: readonly [number, number];
  /** The transformer blocks (`blocks.<i>`). */
  readonly blocks: ModuleList<TransformerBlock>;
  /** The generator of the drop-path draws (save its state with checkpoints for a bit-exact resume). */
  readonly dropPathRng: Rng;
  private readonly patchWeight: tf.Variable;
  private readonly patchBias: tf.Variable;
  private readonly clsToken: tf.Variable;
  private readonly posEmbedBuffer?: tf.Variable;
  private readonly imgEmbed?: tf.Variable;
  private readonly normWeight: tf.Variable;
  private readonly normBias: tf.Variable;

  constructor(options: VitOptions) {
    super();
    const c = resolveVitConfig(options);
    const rng = options.rng ?? new Rng(options.seed ?? 0);
    this.config = c;
    this.dim = c.embedDim;
    this.patchSize = c.patchSize;
    this.inChannels = c.inChannels;
    this.posEmbedKind = c.posEmbed;
    this.grid = [Math.floor(c.imageSize[0] / c.patchSize), Math.floor(c.imageSize[1] / c.patchSize)];
    const d = c.embedDim;
    const patchIn = c.patchSize * c.patchSize * c.inChannels;
    const dropRng = rng.fork();
    this.dropPathRng = dropRng;

    this.clsToken = this.param('cls_token', normalInit([1, 1, d], rng, 0.02), { noWeightDecay: true });
    if (c.posEmbed === 'sincos') {
      const [gh, gw] = this.grid;
      this.posEmbedBuffer = this.param('pos_embed', tf.tidy(() => posEmbed2dSinCos(d, gh, gw, true).reshape([1, 1 + gh * gw, d])), {
        trainable: false,
        noWeightDecay: true,
      });
      // MAE: xavier-uniform over the conv weight viewed as [D, p·p·C]; the bias keeps Conv2d's default U(±1/√fanIn).
      this.patchWeight = this.param('patch_embed.proj.weight', xavierUniform([patchIn, d], rng, patchIn, d), {
        torchLayout: 'patch-linear',
        torchChannels: c.inChannels,
      });
      const bound = 1 / Math.sqrt(patchIn);
      this.patchBias = this.param('patch_embed.proj.bias', tf.tensor1d(Float32Array.from({ length: d }, () => (rng.uniform() * 2 - 1) * bound)));
    } else {
      this.imgEmbed = this.param('img_embed', normalInit([1, c.numViews, d], rng, 0.02), { noWeightDecay: true });
      this.patchWeight = this.param('patch_embed.weight', xavierUniform([patchIn, d], rng, patchIn, d), { torchLayout: 'linear' });
      this.patchBias = this.param('patch_embed.bias', zerosInit([d]));
    }
    this.blocks = this.module('blocks', new ModuleList<TransformerBlock>());
    for (let i = 0; i < c.depth; i++) {
      const dropPath = c.depth > 1 ? (c.dropPath * i) / (c.depth - 1) : 0;
      this.blocks.push(
        new TransformerBlock({ dim: d, numHeads: c.numHeads, mlpRatio: c.mlpRatio, qkvBias: c.qkvBias, eps: c.eps, dropPath, rng, dropPathRng: dropRng }),
      );
    }
    this.normWeight = this.param('norm.weight', onesInit([d]));
    this.normBias = this.param('norm.bias', zerosInit([d]));
  }

  /** Patch grid of an input of `[height, width]` pixels. */
  outputGrid(height: number, width: number): [number, number] {
    return [Math.floor(height / this.patchSize), Math.floor(width / this.patchSize)];
  }

  /**
   * Encoder forward. Without `idsKeep`, every patch is encoded (dense); with it, only the listed
   * patches (MAE: `x = patch_embed(patchify(x)) + pos_embed[1:]`, keep, prepend `cls + pos_embed[0]`,
   * blocks, norm). `keyMask` disables tokens as attention keys (the class token key stays on).
   * Indices in `idsKeep` must lie in `[0, h·w)` (they are not read back to be checked). `boxes` are
   * used by the `box` position embedding only.
   *
   * @param x `[B·views, H, W, C]` NHWC, view-major within a sample.
   * @returns tokens `[B·views, 1 + K, D]` (sincos) or `[B, 1 + views·K, D]` with `joint: true` (box);
   *   every tensor in it is new (`idsKeep` and `keyMask` are clones of the inputs).
   */
  forward(x: tf.Tensor4D, options: MaskedForwardOptions = {}): EncoderOutput {
    const views = options.views ?? 1;
    const grid = this.checkInput(x, views, 'forward');
    const n = x.shape[0];
    const l = grid[0] * grid[1];
    const { idsKeep, keyMask, boxes } = options;
    if (options.mask) {
      throw new VitError(`VisionTransformer.forward: option 'mask' is for grid backbones; pass the kept patch indices as 'idsKeep' ([B·views, K] int32) instead.`);
    }
    if (idsKeep && (idsKeep.rank !== 2 || idsKeep.shape[0] !== n || idsKeep.shape[1] < 1 || idsKeep.shape[1] > l)) {
      throw new VitError(`VisionTransformer.forward: 'idsKeep' must be [${n}, K] with 1 ≤ K ≤ ${l} (one row per image), got [${idsKeep.shape.join(', ')}].`);
    }
    const k = idsKeep ? idsKeep.shape[1] : l;
    if (keyMask && (keyMask.rank !== 2 || keyMask.shape[0] !== n || keyMask.shape[1] !== k)) {
      throw new VitError(`VisionTransformer.forward: 'keyMask' must be [${n}, ${k}] (one flag per encoded token, 1 = disabled key), got [${keyMask.shape.join(', ')}].`);
    }
    const joint = this.posEmbedKind === 'box';
    const features = tf.tidy(() => {
      const pe = this.patchPositions(grid, n, views, boxes, 'forward'); // [1|N, L, D]
      let patches = patchify(x, this.patchSize);
      let pos: tf.Tensor3D = pe;
      if (idsKeep) {
        patches = gatherTokens(patches, idsKeep);
        pos = pe.shape[0] === 1 ? (gatherRows(pe.reshape([l, this.dim]) as tf.Tensor2D, idsKeep.reshape([n * k]) as tf.Tensor1D).reshape([n, k, this.dim]) as tf.Tensor3D) : gatherTokens(pe, idsKeep);
      }
      const tokens = linear(patches, this.patchWeight as tf.Tensor2D, this.patchBias as tf.Tensor1D).add(pos) as tf.Tensor3D;
      return this.encode(tokens, joint ? views : 1, keyMask);
    });
    return {
      layout: 'tokens',
      features,
      ...(idsKeep ? { idsKeep: idsKeep.clone() } : {}),
      ...(keyMask ? { keyMask: keyMask.clone() } : {}),
      dim: this.dim,
      grid,
      patchSize: this.patchSize,
      hasClassToken: true,
      views,
      joint,
    };
  }

  /**
   * Pooled features for probes and fine-tuning (dense forward, no masking): the normed class
   * token (`pool: 'cls'`, MAE's linear probe) or the mean of the normed patch tokens (`'mean'`).
   * With `pyramid`, also the normed patch tokens as one NHWC map `[B, h, w, D]`.
   */
  forwardFeatures(x: tf.Tensor4D, options: VitFeatureOptions = {}): BackboneFeatures {
    const views = options.views ?? 1;
    const pool = options.pool ?? this.config.pool;
    if (options.pyramid && views !== 1) {
      throw new VitError(`VisionTransformer.forwardFeatures: 'pyramid' needs a single view per sample, got views = ${views}.`);
    }
    const grid = this.checkInput(x, views, 'forwardFeatures');
    const out = this.forward(x, { views, ...(options.boxes ? { boxes: options.boxes } : {}) });
    const feats = out.features as tf.Tensor3D;
    const [b, t, d] = feats.shape;
    const result = tf.tidy(() => {
      const pooled = (pool === 'cls' ? feats.slice([0, 0, 0], [b, 1, d]).reshape([b, d]) : feats.slice([0, 1, 0], [b, t - 1, d]).mean(1)) as tf.Tensor2D;
      const pyramid = options.pyramid ? [feats.slice([0, 1, 0], [b, t - 1, d]).reshape([b, grid[0], grid[1], d]) as tf.Tensor4D] : undefined;
      return { pooled, ...(pyramid ? { pyramid } : {}) };
    });
    feats.dispose();
    return result;
  }

  /**
   * The per-patch position embedding added to the patch tokens, before any gathering: the
   * `pos_embed[1:]` rows `[1, L, D]` (sincos), or box sin-cos plus `img_embed[v]` for every view
   * `[B·views, L, D]` (box; NeighborMAE `make_pos_embed(pos)[0]`). Boxes `[B, views, 4]` are
   * `(left, top, right, bottom)` already normalised to the sample's frame (see
   * `normalizeBoxesToUnion`); without boxes a single view uses {@link DEFAULT_VIEW_BOX}. Returns a
   * new tensor (the caller disposes it).
   */
  positionEmbedding(grid: readonly [number, number], count: number, views = 1, boxes?: tf.Tensor3D): tf.Tensor3D {
    return this.patchPositions(grid, count, views, boxes, 'positionEmbedding');
  }

  private patchPositions(grid: readonly [number, number], count: number, views: number, boxes: tf.Tensor3D | undefined, where: string): tf.Tensor3D {
    const [gh, gw] = grid;
    const l = gh * gw;
    const d = this.dim;
    if (this.posEmbedKind === 'sincos') {
      if (gh !== this.grid[0] || gw !== this.grid[1]) {
        throw new VitError(
          `VisionTransformer.${where}: the input patch grid ${gh}×${gw} differs from the fixed 'sincos' pos_embed grid ${this.grid[0]}×${this.grid[1]}; resize the input to ${this.grid[0] * this.patchSize}×${this.grid[1] * this.patchSize} or build the model with imageSize matching the input.`,
        );
      }
      return tf.tidy(() => (this.posEmbedBuffer as tf.Variable).slice([0, 1, 0], [1, l, d]) as tf.Tensor3D);
    }
    if (views > this.config.numViews) {
      throw new VitError(`VisionTransformer.${where}: ${views} views per sample, but img_embed has ${this.config.numViews} rows; build the model with numViews ≥ ${views}.`);
    }
    const samples = count / views;
    if (boxes && (boxes.rank !== 3 || boxes.shape[0] !== samples || boxes.shape[1] !== views || boxes.shape[2] !== 4)) {
      throw new VitError(`VisionTransformer.${where}: 'boxes' must be [${samples}, ${views}, 4] (left, top, right, bottom per view), got [${boxes.shape.join(', ')}].`);
    }
    if (!boxes && views !== 1) {
      throw new VitError(`VisionTransformer.${where}: the 'box' position embedding needs 'boxes' [B, ${views}, 4] for multi-view input (only a single view may fall back to the default box).`);
    }
    return tf.tidy(() => {
      const flat = boxes ? (boxes.reshape([count, 4]) as tf.Tensor2D) : (tf.tensor2d([...DEFAULT_VIEW_BOX], [1, 4]).tile([count, 1]) as tf.Tensor2D);
      const sincos = boxPosEmbed(flat, d, gh, gw).reshape([samples, views, l, d]);
      const perView = (this.imgEmbed as tf.Variable).slice([0, 0, 0], [1, views, d]).reshape([1, views, 1, d]);
      return sincos.add(perView).reshape([count, l, d]) as tf.Tensor3D;
    });
  }

  /** Prepend the class token, run the blocks (with the key mask) and the final norm. */
  private encode(tokens: tf.Tensor3D, groupViews: number, keyMask: tf.Tensor2D | undefined): tf.Tensor3D {
    const [n, k, d] = tokens.shape;
    const b = n / groupViews;
    const seq = tokens.reshape([b, groupViews * k, d]);
    let cls = this.clsToken as tf.Tensor;
    if (this.posEmbedBuffer) cls = cls.add(this.posEmbedBuffer.slice([0, 0, 0], [1, 1, d]));
    let h = tf.concat([tf.broadcastTo(cls, [b, 1, d]), seq], 1) as tf.Tensor3D;
    const bias = keyMask ? keyPaddingBias(tf.concat([tf.zeros([b, 1]), keyMask.toFloat().reshape([b, groupViews * k])], 1) as tf.Tensor2D) : undefined;
    for (const block of this.blocks.items) h = block.forward(h, bias);
    return layerNorm(h, this.normWeight as tf.Tensor1D, this.normBias as tf.Tensor1D, this.config.eps) as tf.Tensor3D;
  }

  private checkInput(x: tf.Tensor4D, views: number, where: string): [number, number] {
    if (x.rank !== 4) throw new VitError(`VisionTransformer.${where}: expected an NHWC image batch [N, H, W, ${this.inChannels}], got rank ${x.rank}.`);
    const [n, hh, ww, c] = x.shape;
    if (c !== this.inChannels) {
      throw new VitError(`VisionTransformer.${where}: the input has ${c} channels, the model was built with inChannels = ${this.inChannels}; check the band selection or rebuild the model.`);
    }
    if (hh % this.patchSize !== 0 || ww % this.patchSize !== 0) {
      throw new VitError(`VisionTransformer.${where}: image ${hh}×${ww} is not divisible by the patch size ${this.patchSize}; crop or resize it to a multiple.`);
    }
    if (!Number.isInteger(views) || views < 1 || n % views !== 0) {
      throw new VitError(`VisionTransformer.${where}: 'views' must be a positive integer dividing the batch ${n}, got ${views}.`);
    }
    return [hh / this.patchSize, ww / this.patchSize];
  }
}

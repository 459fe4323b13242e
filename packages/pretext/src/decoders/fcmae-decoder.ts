import * as tf from '@tensorflow/tfjs';
import { ConvNeXtV2Block } from '@terramae/backbones';
import type { MaskSample } from '@terramae/masking';
import { Module, ModuleList, layerNorm, linear, normalInit, onesInit, truncNormal, zerosInit, type EncoderOutput, type Rng } from '@terramae/tensors';
import type { TaskBuildContext, TaskStepContext } from '../api/task';
import { tokensToGrid } from './tokens-to-grid';

/** Settings of the FCMAE decoder (MMEarth: width 512, one block, shared by every task). */
export interface FcmaeDecoderConfig {
  /** Decoder width. Default 512. */
  readonly dim: number;
  /** ConvNeXt V2 blocks. Default 1. */
  readonly depth: number;
  /** `shared` (default): one decoder for every task, as MMEarth-train; `per-task`: the task's own decoder inside its head. */
  readonly sharing: 'shared' | 'per-task';
  /** GRN eps of the decoder blocks (MMEarth's dense layers: 1e-4). */
  readonly grnEps: number;
  /**
   * Initial weights of the layers that are `nn.Conv2d` in MMEarth-train's FCMAE (`proj`, each
   * decoder block's depthwise `dwconv`, the pixel heads):
   * - `std-0.02` (default): trunc-normal with std 0.02, as specs/mmearth.md §2.2 states and the
   *   linear layers use;
   * - `fcmae`: what `FCMAE._init_weights` actually runs, `trunc_normal_(w.view(out, -1))` with
   *   timm's default std **1** (truncated at ±2), so the pixel heads start with outputs of std
   *   ≈ 0.88·√dim. Linear layers (`pwconv*`, image heads) keep std 0.02 and `mask_token` N(0, 0.02²)
   *   either way. (The same `apply` also re-initialises the sparse encoder's depthwise and
   *   `MinkowskiLinear` weights with std 1; that part belongs to the backbone.)
   */
  readonly convInit: 'std-0.02' | 'fcmae';
}

/** MMEarth's decoder settings. */
export const FCMAE_DECODER_DEFAULTS: FcmaeDecoderConfig = { dim: 512, depth: 1, sharing: 'shared', grnEps: 1e-4, convInit: 'std-0.02' };

/** Standard deviation of the trunc-normal init of the reference's `nn.Conv2d` layers for a {@link FcmaeDecoderConfig.convInit}. */
export function fcmaeConvInitStd(convInit: FcmaeDecoderConfig['convInit']): number {
  return convInit === 'fcmae' ? 1 : 0.02;
}

/**
 * Fill a partial decoder config with {@link FCMAE_DECODER_DEFAULTS} and check it (so task configs
 * may set only `{ dim: 64 }`).
 */
export function resolveFcmaeDecoderConfig(config: Partial<FcmaeDecoderConfig> | undefined): FcmaeDecoderConfig {
  const c = { ...FCMAE_DECODER_DEFAULTS, ...config };
  if (!Number.isInteger(c.dim) || c.dim < 1) throw new RangeError(`decoder.dim must be a positive integer, got ${String(c.dim)}`);
  if (!Number.isInteger(c.depth) || c.depth < 0) throw new RangeError(`decoder.depth must be a non-negative integer, got ${String(c.depth)}`);
  if (c.sharing !== 'shared' && c.sharing !== 'per-task') throw new RangeError(`decoder.sharing must be 'shared' or 'per-task', got '${String(c.sharing)}'`);
  if (c.convInit !== 'std-0.02' && c.convInit !== 'fcmae') throw new RangeError(`decoder.convInit must be 'std-0.02' or 'fcmae', got '${String(c.convInit)}'`);
  return c;
}

/** Options of {@link FcmaeDecoder}. */
export interface FcmaeDecoderOptions {
  /** Encoder width (the decoder's input channels). */
  readonly inDim: number;
  readonly dim?: number;
  readonly depth?: number;
  readonly grnEps?: number;
  /** Std of the trunc-normal init of `proj` and the blocks' `dwconv` (default 0.02; 1 = FCMAE's code, see {@link FcmaeDecoderConfig.convInit}). */
  readonly convInitStd?: number;
  readonly rng: Rng;
}

/**
 * The FCMAE decoder of MMEarth-train (`models/fcmae.py`): 1×1 conv `proj` (encoder width → `dim`),
 * masked cells replaced by the learnable `mask_token` (`x·(1−m) + token·m`), then `depth` dense
 * ConvNeXt V2 blocks (`decoder.<i>.*`, GRN eps 1e-4). `[N, h, w, inDim]` → `[N, h, w, dim]`.
 *
 * Parameter names follow the reference (`proj.weight` HWIO `[1,1,in,dim]`, `proj.bias`,
 * `mask_token`, `decoder.0.dwconv.weight`, …). `mask_token` is stored `[1, 1, dim, 1]` with the
 * `conv` torch layout so that it imports from / exports to the reference's `[1, dim, 1, 1]`.
 * Init: trunc-normal weights (std 0.02, or the reference code's std 1 for `proj` and `dwconv`, see
 * {@link FcmaeDecoderConfig.convInit}), zero biases, `mask_token` ~ N(0, 0.02).
 */
export class FcmaeDecoder extends Module {
  readonly inDim: number;
  readonly dim: number;
  readonly grnEps: number;
  /** Std of the trunc-normal init of `proj` and the blocks' `dwconv`. */
  readonly convInitStd: number;
  private readonly projWeight: tf.Variable;
  private readonly projBias: tf.Variable;
  private readonly maskToken: tf.Variable;
  readonly blocks: ModuleList<ConvNeXtV2Block>;

  constructor(options: FcmaeDecoderOptions) {
    super();
    const { inDim, rng } = options;
    this.inDim = inDim;
    this.dim = options.dim ?? 512;
    this.grnEps = options.grnEps ?? 1e-4;
    this.convInitStd = options.convInitStd ?? 0.02;
    const convStd = options.convInitStd ?? 0.02;
    this.projWeight = this.param('proj.weight', truncNormal([1, 1, inDim, this.dim], rng, convStd), { torchLayout: 'conv' });
    this.projBias = this.param('proj.bias', zerosInit([this.dim]));
    this.maskToken = this.param('mask_token', normalInit([1, 1, this.dim, 1], rng, 0.02), { torchLayout: 'conv', noWeightDecay: true });
    this.blocks = this.module('decoder', new ModuleList<ConvNeXtV2Block>());
    for (let i = 0; i < (options.depth ?? 1); i++) {
      const block = this.blocks.push(new ConvNeXtV2Block({ dim: this.dim, rng }));
      if (convStd !== 0.02) {
        // the block's depthwise conv is an nn.Conv2d in the reference: re-draw it with the conv std
        const dw = block.namedParameters().find((p) => p.name === 'dwconv.weight');
        if (dw) tf.tidy(() => dw.variable.assign(truncNormal(dw.variable.shape, rng, convStd)));
      }
    }
  }

  /**
   * Decode an encoder grid. `features` `[N, h, w, inDim]` (zero at hidden cells for FCMAE),
   * `mask` `[N, h·w]` with 1 = hidden.
   */
  forward(features: tf.Tensor4D, mask: tf.Tensor2D): tf.Tensor4D {
    const [n, h, w, c] = features.shape;
    if (c !== this.inDim) throw new RangeError(`FcmaeDecoder: features have ${c} channels, the decoder was built for ${this.inDim}`);
    if (mask.shape[0] !== n || mask.shape[1] !== h * w) throw new RangeError(`FcmaeDecoder: mask [${mask.shape.join(', ')}] does not fit features [${features.shape.join(', ')}]`);
    return tf.tidy(() => {
      let x = linear(features, this.projWeight.reshape([this.inDim, this.dim]) as tf.Tensor2D, this.projBias as tf.Tensor1D) as tf.Tensor4D;
      const m = mask.toFloat().reshape([n, h, w, 1]);
      x = x.mul(tf.sub(1, m)).add(this.maskToken.reshape([1, 1, 1, this.dim]).mul(m)) as tf.Tensor4D;
      for (const block of this.blocks.items) x = block.forward(x, { grnEps: this.grnEps });
      return x;
    });
  }
}

/** MMEarth's `layer_norm_tmp`: one LayerNorm (eps 1e-6, over channels) shared by every image-level task. */
export class ImageLevelNorm extends Module {
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;
  constructor(readonly dim: number) {
    super();
    this.weight = this.param('weight', onesInit([dim]));
    this.bias = this.param('bias', zerosInit([dim]));
  }
  /** LayerNorm at every cell, then the global average over every cell (mask-token cells included): `[N, h, w, dim]` → `[N, dim]`. */
  pool(decoded: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => layerNorm(decoded, this.weight as tf.Tensor1D, this.bias as tf.Tensor1D, 1e-6).mean([1, 2]) as tf.Tensor2D);
  }
}

/** Shared-module key of the shared FCMAE decoder (`shared.fcmae_decoder.*`). */
export const FCMAE_DECODER_KEY = 'fcmae_decoder';
/** Shared-module key of the image-level LayerNorm (`shared.layer_norm_tmp.*`). */
export const IMAGE_NORM_KEY = 'layer_norm_tmp';

/** A decoder owned by a task head (per-task sharing), or `undefined` when the shared one is used. */
export interface FcmaeDecoding {
  /** The task's own decoder (per-task sharing). */
  readonly ownDecoder?: FcmaeDecoder;
  /** The task's own image norm (per-task sharing, image tasks). */
  readonly ownNorm?: ImageLevelNorm;
}

/**
 * The decoder a task uses: the shared one from `ctx.shared` (created by the first task with
 * these settings; a task asking for different settings is an error), or a new one for the task.
 */
export function fcmaeDecoderFor(partial: Partial<FcmaeDecoderConfig> | undefined, ctx: TaskBuildContext): { decoder: FcmaeDecoder; shared: boolean } {
  const config = resolveFcmaeDecoderConfig(partial);
  const convInitStd = fcmaeConvInitStd(config.convInit);
  const make = () => new FcmaeDecoder({ inDim: ctx.backbone.dim, dim: config.dim, depth: config.depth, grnEps: config.grnEps, convInitStd, rng: ctx.rng });
  if (config.sharing === 'per-task') return { decoder: make(), shared: false };
  const decoder = ctx.shared.getOrCreate(FCMAE_DECODER_KEY, make);
  if (decoder.dim !== config.dim || decoder.blocks.length !== config.depth || decoder.grnEps !== config.grnEps || decoder.convInitStd !== convInitStd) {
    throw new RangeError(
      `the shared FCMAE decoder exists with dim ${decoder.dim}, depth ${decoder.blocks.length}, grnEps ${decoder.grnEps}, conv init std ${decoder.convInitStd}; a task asks for dim ${config.dim}, depth ${config.depth}, grnEps ${config.grnEps}, conv init std ${convInitStd}. Give every task the same decoder settings or use sharing: 'per-task'`,
    );
  }
  return { decoder, shared: true };
}

/** The image-level norm a task uses (shared `layer_norm_tmp`, or its own with per-task sharing). */
export function imageNormFor(partial: Partial<FcmaeDecoderConfig> | undefined, ctx: TaskBuildContext): { norm: ImageLevelNorm; shared: boolean } {
  const config = resolveFcmaeDecoderConfig(partial);
  if (config.sharing === 'per-task') return { norm: new ImageLevelNorm(config.dim), shared: false };
  return { norm: ctx.shared.getOrCreate(IMAGE_NORM_KEY, () => new ImageLevelNorm(config.dim)), shared: true };
}

/** The encoder output on the grid: grid features as they are, tokens scattered back ({@link tokensToGrid}). */
export function encoderGrid(encoded: EncoderOutput, mask: MaskSample): tf.Tensor4D {
  if (encoded.layout === 'grid') return encoded.features as tf.Tensor4D;
  return tokensToGrid(encoded, mask.idsRestore, mask.mask, mask.grid);
}

/**
 * Run an FCMAE decoder for a step. A shared decoder runs once per step (memoised under its key);
 * a task-owned one runs for its task only.
 */
export function decodeStep(step: TaskStepContext, decoder: FcmaeDecoder, shared: boolean): tf.Tensor4D {
  const run = () => decoder.forward(step.memo('encoder-grid', () => encoderGrid(step.encoded, step.mask)), step.mask.mask);
  return shared ? step.memo(FCMAE_DECODER_KEY, run) : run();
}

/** The pooled image-level features for a step (memoised when decoder and norm are shared). */
export function pooledStep(step: TaskStepContext, decoder: FcmaeDecoder, norm: ImageLevelNorm, shared: boolean): tf.Tensor2D {
  const run = () => norm.pool(decodeStep(step, decoder, shared));
  return shared ? step.memo(`${FCMAE_DECODER_KEY}/pooled`, run) : run();
}

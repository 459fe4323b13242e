import type { Rng } from '@terramae/tensors';
import { VitError } from './errors';

/** How a ViT encodes patch positions. */
export type VitPosEmbed = 'sincos' | 'box';

/** The width, depth and heads of a named ViT size. */
export interface VitSize {
  readonly embedDim: number;
  readonly depth: number;
  readonly numHeads: number;
  /** The patch size of the reference model of this size (16, or 14 for huge). */
  readonly patchSize: number;
}

/** The standard ViT sizes (DeiT tiny/small, ViT base/large/huge as in MAE's `models_vit.py`). */
export const VIT_SIZES = {
  tiny: { embedDim: 192, depth: 12, numHeads: 3, patchSize: 16 },
  small: { embedDim: 384, depth: 12, numHeads: 6, patchSize: 16 },
  base: { embedDim: 768, depth: 12, numHeads: 12, patchSize: 16 },
  large: { embedDim: 1024, depth: 24, numHeads: 16, patchSize: 16 },
  huge: { embedDim: 1280, depth: 32, numHeads: 16, patchSize: 14 },
} as const satisfies Record<string, VitSize>;

/** A named ViT size. */
export type VitSizeName = keyof typeof VIT_SIZES;

/** Everything but the size of a ViT: input geometry, position embedding, regularisation, init. */
export interface VitInputOptions {
  /** Patch side in pixels. Default: the size's reference patch (16; 14 for huge). */
  readonly patchSize?: number;
  /** Input channels (bands). Default 3. */
  readonly inChannels?: number;
  /**
   * Input image side, or `[height, width]`. Default 224. With `posEmbed: 'sincos'` the fixed
   * embedding is built for this grid and inputs must have this size; `'box'` accepts any size.
   */
  readonly imageSize?: number | readonly [number, number];
  /**
   * `sincos` (MAE: fixed 2-D sin-cos buffer `pos_embed` `[1, 1+L, D]`; views are independent
   * images) or `box` (NeighborMAE: sin-cos of each patch's footprint box plus a learnable per-view
   * `img_embed` `[1, V, D]`; the views of a sample attend jointly). Default `sincos`.
   */
  readonly posEmbed?: VitPosEmbed;
  /** Rows of `img_embed` (views per sample the model knows) for `posEmbed: 'box'`. Default 2. */
  readonly numViews?: number;
  /** MLP hidden width as a multiple of the embedding width. Default 4. */
  readonly mlpRatio?: number;
  /** Bias on the qkv projections. Default true. */
  readonly qkvBias?: boolean;
  /** LayerNorm epsilon. Default 1e-6. */
  readonly eps?: number;
  /** Stochastic-depth rate of the last block; block i gets `i/(depth−1)` of it (timm). Default 0. */
  readonly dropPath?: number;
  /** Default pooling of `forwardFeatures`: the class token (MAE linear probe) or the mean of the patch tokens. Default `cls`. */
  readonly pool?: 'cls' | 'mean';
  /** Seed of the initial weights and drop-path draws (ignored when `rng` is given). Default 0. */
  readonly seed?: number;
  /** Generator of the initial weights and drop-path draws. */
  readonly rng?: Rng;
}

/** A complete ViT configuration: a size (width, depth, heads) plus input options. */
export interface VitOptions extends VitInputOptions {
  /** Token width D (a multiple of `numHeads`; of 4 for `sincos`, of 8 for `box`). */
  readonly embedDim: number;
  /** Number of transformer blocks. */
  readonly depth: number;
  /** Attention heads per block. */
  readonly numHeads: number;
}

/** A {@link VitOptions} with every default filled in. */
export interface ResolvedVitConfig {
  readonly embedDim: number;
  readonly depth: number;
  readonly numHeads: number;
  readonly patchSize: number;
  readonly inChannels: number;
  readonly imageSize: readonly [number, number];
  readonly posEmbed: VitPosEmbed;
  readonly numViews: number;
  readonly mlpRatio: number;
  readonly qkvBias: boolean;
  readonly eps: number;
  readonly dropPath: number;
  readonly pool: 'cls' | 'mean';
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new VitError(`ViT option '${name}' must be a positive integer, got ${value}.`);
  return value;
}

/** Fill in defaults and check a ViT configuration; throws {@link VitError} naming the bad option. */
export function resolveVitConfig(options: VitOptions): ResolvedVitConfig {
  const embedDim = positiveInt('embedDim', options.embedDim);
  const depth = positiveInt('depth', options.depth);
  const numHeads = positiveInt('numHeads', options.numHeads);
  const patchSize = positiveInt('patchSize', options.patchSize ?? 16);
  const inChannels = positiveInt('inChannels', options.inChannels ?? 3);
  const size = options.imageSize ?? 224;
  const imageSize: [number, number] = typeof size === 'number' ? [size, size] : [size[0], size[1]];
  imageSize.forEach((s) => positiveInt('imageSize', s));
  const posEmbed = options.posEmbed ?? 'sincos';
  if (posEmbed !== 'sincos' && posEmbed !== 'box') throw new VitError(`ViT option 'posEmbed' must be 'sincos' or 'box', got '${String(posEmbed)}'.`);
  const numViews = positiveInt('numViews', options.numViews ?? 2);
  const mlpRatio = options.mlpRatio ?? 4;
  if (!(mlpRatio > 0)) throw new VitError(`ViT option 'mlpRatio' must be positive, got ${mlpRatio}.`);
  const eps = options.eps ?? 1e-6;
  const dropPath = options.dropPath ?? 0;
  if (!(dropPath >= 0 && dropPath < 1)) throw new VitError(`ViT option 'dropPath' must be in [0, 1), got ${dropPath}.`);
  const pool = options.pool ?? 'cls';
  if (pool !== 'cls' && pool !== 'mean') throw new VitError(`ViT option 'pool' must be 'cls' or 'mean', got '${String(pool)}'.`);
  if (embedDim % numHeads !== 0) {
    throw new VitError(`ViT: embedDim ${embedDim} is not divisible by numHeads ${numHeads}; choose a width that is a multiple of the head count.`);
  }
  const multiple = posEmbed === 'box' ? 8 : 4;
  if (embedDim % multiple !== 0) {
    throw new VitError(`ViT: posEmbed '${posEmbed}' needs embedDim to be a multiple of ${multiple}, got ${embedDim}.`);
  }
  if (posEmbed === 'sincos' && (imageSize[0] % patchSize !== 0 || imageSize[1] % patchSize !== 0)) {
    throw new VitError(`ViT: imageSize ${imageSize[0]}×${imageSize[1]} is not divisible by patchSize ${patchSize}; the fixed 'sincos' position embedding needs a whole patch grid.`);
  }
  return { embedDim, depth, numHeads, patchSize, inChannels, imageSize, posEmbed, numViews, mlpRatio, qkvBias: options.qkvBias ?? true, eps, dropPath, pool };
}

/**
 * Trainable parameters of a ViT encoder with this configuration, counted without building it:
 * patch embedding, class token, `img_embed` (box only), blocks and final norm. The fixed sin-cos
 * `pos_embed` is a buffer and not counted.
 */
export function vitParameterCount(options: VitOptions): number {
  const c = resolveVitConfig(options);
  const d = c.embedDim;
  const hidden = Math.floor(d * c.mlpRatio);
  const patchIn = c.patchSize * c.patchSize * c.inChannels;
  const block = 4 * d + 3 * d * d + (c.qkvBias ? 3 * d : 0) + d * d + d + d * hidden + hidden + hidden * d + d;
  return patchIn * d + d + d + (c.posEmbed === 'box' ? c.numViews * d : 0) + c.depth * block + 2 * d;
}

import type { Rng } from '@terramae/tensors';
import { ConvNeXtV2ConfigError } from './errors';
import type { ConvNeXtV2Size } from './sizes';

/**
 * Which stem turns pixels into the stage-0 map.
 * - `mmearth` (MMEarth's `use_orig_stem=False`, every MMEarth run): `initial_conv` = 3×3 conv
 *   Cin→d0 → LayerNorm → GELU, then `stem` = depthwise conv with kernel = stride = `patchSize/8`
 *   → LayerNorm. Parameters `initial_conv.{0,1}.*`, `stem.{0,1}.*`.
 * - `original` (ConvNeXt V2's patchify stem, MMEarth's `use_orig_stem=True`): one conv Cin→d0 with
 *   kernel = stride = `patchSize/8` (the classic 4×4/stride-4 stem at `patchSize` 32) → LayerNorm.
 *   Parameters `stem_orig.{0,1}.*`.
 */
export type ConvNeXtV2StemKind = 'mmearth' | 'original';

/**
 * Zero padding of the stem, PyTorch style (pixels on every side).
 * - `same` (default): `initial_conv` padding 1, `stem` padding 0: the geometry of MMEarth's sparse
 *   FCMAE pretraining encoder (Minkowski convolutions keep every active pixel), 56 px at patch 8 →
 *   7×7. Masked forward always uses this geometry.
 * - `unet`: MMEarth's U-Net (`convnextv2_unet.py`), identical numbers to `same`.
 * - `finetune`: MMEarth's dense fine-tuning model (`convnextv2.py`): `initial_conv` unpadded
 *   (H → H−2) and `stem` padding `⌊k/2⌋`, 56 px at patch 8 → 6×6, 112 px at patch 16 → 7×7.
 * - explicit numbers.
 * The original stem is unpadded in every preset.
 */
export type ConvNeXtV2Padding = 'same' | 'unet' | 'finetune' | { readonly initialConv: number; readonly stem: number };

/** How GRN pools its statistics in masked (FCMAE) mode. */
export type GrnStatistics = 'batch' | 'sample';

/** Everything a {@link ConvNeXtV2} is built from besides its size. */
export interface ConvNeXtV2Options {
  /** Input bands. Default 12 (MMEarth's Sentinel-2 input). */
  readonly inChannels?: number;
  /**
   * Input pixels per output cell along one side; a multiple of 8 (the three 2× downsamplings
   * leave a stem stride of `patchSize/8`). Default 8 (MMEarth's 56 px / patch 8 setting); 16 for
   * 112 px inputs, 32 for the original stem.
   */
  readonly patchSize?: number;
  /** Stem variant. Default `mmearth`. */
  readonly stem?: ConvNeXtV2StemKind;
  /** Stem padding of the dense forward. Default `same`. */
  readonly padding?: ConvNeXtV2Padding;
  /** Largest stochastic-depth rate; block i of n gets `rate·i/(n−1)` (linear). Default 0. */
  readonly dropPathRate?: number;
  /**
   * Classes of a classifier head (the dense fine-tuning model: GAP → `norm` → `head`). 0 (default)
   * builds the bare encoder, whose parameters are exactly those of MMEarth's pretraining encoder.
   */
  readonly numClasses?: number;
  /**
   * Whether the final LayerNorm `norm` (applied to the pooled features) has parameters. Default:
   * true when there is a head. Without it, pooled features are normalised with unit scale and zero
   * shift, which equals a freshly initialised `norm` (MMEarth's frozen linear-probing LN).
   */
  readonly finalNorm?: boolean;
  /** Scale of the head's initial weights and biases (`head_init_scale`). Default 1. */
  readonly headInitScale?: number;
  /** GRN eps of the dense forward: 1e-4 as MMEarth's `norm_layers.GRN` (upstream ConvNeXt V2: 1e-6). */
  readonly grnEps?: number;
  /** GRN eps of the masked forward: 1e-6 as MMEarth's sparse `MinkowskiGRN`. */
  readonly maskedGrnEps?: number;
  /**
   * GRN statistics in masked mode. `batch` (default): one L2 norm per channel over every visible
   * position of the whole batch, exactly MMEarth's sparse `MinkowskiGRN` (which norms `x.F`, all
   * active points of the batch), so masked pretraining reproduces the released checkpoints'
   * training. `sample`: per sample over its visible positions, like the dense GRN and upstream's
   * JAX masked-conv version (ConvNeXt-V2 issue #86); a sample's output then does not depend on the
   * other samples of its batch.
   */
  readonly maskedGrnStatistics?: GrnStatistics;
  /**
   * Masked mode: also treat visible pixels whose bands are all exactly 0 as absent, as
   * MinkowskiEngine's `to_sparse` does (it keeps pixels with `Σ|x| ≠ 0`). Default true.
   */
  readonly dropZeroPixels?: boolean;
  /** Seed of the initial weights (truncated normal, std 0.02). Default 0. */
  readonly seed?: number;
  /** Generator of the drop-path draws (training mode only). Default: derived from `seed`. */
  readonly rng?: Rng;
}

/** A complete ConvNeXt V2 configuration: a size plus options. */
export interface ConvNeXtV2Config extends ConvNeXtV2Size, ConvNeXtV2Options {}

/** A configuration with every default filled in and checked. */
export interface ResolvedConvNeXtV2Config {
  readonly depths: readonly number[];
  readonly dims: readonly number[];
  readonly inChannels: number;
  readonly patchSize: number;
  /** Stem kernel and stride, `patchSize / 8`. */
  readonly stemStride: number;
  readonly stem: ConvNeXtV2StemKind;
  readonly padding: { readonly initialConv: number; readonly stem: number };
  readonly dropPathRate: number;
  readonly numClasses: number;
  readonly finalNorm: boolean;
  readonly headInitScale: number;
  readonly grnEps: number;
  readonly maskedGrnEps: number;
  readonly maskedGrnStatistics: GrnStatistics;
  readonly dropZeroPixels: boolean;
  readonly seed: number;
}

function positiveInt(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConvNeXtV2ConfigError(`ConvNeXt V2: ${name} must be a positive integer, got ${String(value)}.`);
  }
  return value;
}

function nonNegativeInt(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ConvNeXtV2ConfigError(`ConvNeXt V2: ${name} must be a non-negative integer, got ${String(value)}.`);
  }
  return value;
}

function positiveNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConvNeXtV2ConfigError(`ConvNeXt V2: ${name} must be a positive number, got ${String(value)}.`);
  }
  return value;
}

/** The padding numbers of a {@link ConvNeXtV2Padding} for a stem stride `k`. */
export function resolvePadding(padding: ConvNeXtV2Padding, stem: ConvNeXtV2StemKind, k: number): { initialConv: number; stem: number } {
  if (typeof padding === 'object' && padding !== null) {
    return { initialConv: nonNegativeInt(padding.initialConv, 'padding.initialConv'), stem: nonNegativeInt(padding.stem, 'padding.stem') };
  }
  switch (padding) {
    case 'same':
    case 'unet':
      return { initialConv: 1, stem: 0 };
    case 'finetune':
      return { initialConv: 0, stem: stem === 'original' ? 0 : Math.floor(k / 2) };
    default:
      throw new ConvNeXtV2ConfigError(
        `ConvNeXt V2: unknown padding ${JSON.stringify(padding)}; use 'same', 'unet', 'finetune' or { initialConv, stem }.`,
      );
  }
}

/** Fill in defaults and check a configuration; throws {@link ConvNeXtV2ConfigError} naming the option. */
export function resolveConvNeXtV2Config(config: ConvNeXtV2Config): ResolvedConvNeXtV2Config {
  const { depths, dims } = config;
  if (!Array.isArray(depths) || depths.length !== 4 || !Array.isArray(dims) || dims.length !== 4) {
    throw new ConvNeXtV2ConfigError(
      `ConvNeXt V2: depths and dims must list the 4 stages, got depths [${String(depths)}] and dims [${String(dims)}].`,
    );
  }
  depths.forEach((d, i) => positiveInt(d, `depths[${i}]`));
  dims.forEach((d, i) => positiveInt(d, `dims[${i}]`));
  const inChannels = positiveInt(config.inChannels ?? 12, 'inChannels');
  const patchSize = positiveInt(config.patchSize ?? 8, 'patchSize');
  if (patchSize % 8 !== 0) {
    throw new ConvNeXtV2ConfigError(
      `ConvNeXt V2: patchSize must be a multiple of 8 (the stem stride is patchSize/8 and three stages halve the map), got ${patchSize}.`,
    );
  }
  const stemStride = patchSize / 8;
  const stem = config.stem ?? 'mmearth';
  if (stem !== 'mmearth' && stem !== 'original') {
    throw new ConvNeXtV2ConfigError(`ConvNeXt V2: stem must be 'mmearth' or 'original', got ${JSON.stringify(stem)}.`);
  }
  const dropPathRate = config.dropPathRate ?? 0;
  if (typeof dropPathRate !== 'number' || !(dropPathRate >= 0 && dropPathRate < 1)) {
    throw new ConvNeXtV2ConfigError(`ConvNeXt V2: dropPathRate must be in [0, 1), got ${String(dropPathRate)}.`);
  }
  const numClasses = nonNegativeInt(config.numClasses ?? 0, 'numClasses');
  const statistics = config.maskedGrnStatistics ?? 'batch';
  if (statistics !== 'batch' && statistics !== 'sample') {
    throw new ConvNeXtV2ConfigError(`ConvNeXt V2: maskedGrnStatistics must be 'batch' or 'sample', got ${JSON.stringify(statistics)}.`);
  }
  return {
    depths: [...depths],
    dims: [...dims],
    inChannels,
    patchSize,
    stemStride,
    stem,
    padding: resolvePadding(config.padding ?? 'same', stem, stemStride),
    dropPathRate,
    numClasses,
    finalNorm: config.finalNorm ?? numClasses > 0,
    headInitScale: config.headInitScale ?? 1,
    grnEps: positiveNumber(config.grnEps ?? 1e-4, 'grnEps'),
    maskedGrnEps: positiveNumber(config.maskedGrnEps ?? 1e-6, 'maskedGrnEps'),
    maskedGrnStatistics: statistics,
    dropZeroPixels: config.dropZeroPixels ?? true,
    seed: config.seed ?? 0,
  };
}

/** Drop-path rate of every block, stage by stage: `linspace(0, rate, Σdepths)` as the original. */
export function dropPathRates(depths: readonly number[], rate: number): number[][] {
  const total = depths.reduce((s, d) => s + d, 0);
  const out: number[][] = [];
  let cur = 0;
  for (const d of depths) {
    const stage: number[] = [];
    for (let j = 0; j < d; j++, cur++) stage.push(total > 1 ? (rate * cur) / (total - 1) : 0);
    out.push(stage);
  }
  return out;
}

/**
 * Spatial size of the stage maps for an input side of `size` pixels in the dense forward: after
 * the stem, then after each stage (`[stem, stage0, stage1, stage2, stage3]`; stage 0 keeps the stem
 * size). Follows PyTorch's `⌊(n + 2q − k)/s⌋ + 1`.
 */
export function stageSizes(config: ResolvedConvNeXtV2Config, size: number, padding = config.padding): number[] {
  const k = config.stemStride;
  let n = size;
  if (config.stem === 'mmearth') n = n + 2 * padding.initialConv - 2;
  n = Math.floor((n + 2 * padding.stem - k) / k) + 1;
  const out = [n, n];
  for (let i = 0; i < 3; i++) {
    n = Math.floor(n / 2);
    out.push(n);
  }
  return out;
}

/**
 * Number of parameters of a configuration without building it (they are also the sizes of
 * `torchStateDict()`): stem, downsampling layers, blocks (`8d² + 65d` each), optional final norm
 * and head.
 */
export function convnextv2ParameterCount(config: ConvNeXtV2Config): number {
  const c = resolveConvNeXtV2Config(config);
  const [d0] = c.dims as [number];
  const k = c.stemStride;
  let n = 0;
  if (c.stem === 'mmearth') n += 9 * c.inChannels * d0 + d0 + 2 * d0 + k * k * d0 + d0 + 2 * d0;
  else n += k * k * c.inChannels * d0 + d0 + 2 * d0;
  for (let i = 0; i < 3; i++) {
    const a = c.dims[i] as number;
    const b = c.dims[i + 1] as number;
    n += 2 * a + 4 * a * b + b;
  }
  c.depths.forEach((depth, i) => {
    const d = c.dims[i] as number;
    n += depth * (8 * d * d + 65 * d);
  });
  const last = c.dims[3] as number;
  if (c.finalNorm) n += 2 * last;
  if (c.numClasses > 0) n += c.numClasses * last + c.numClasses;
  return n;
}

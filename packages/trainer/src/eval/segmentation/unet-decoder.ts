import * as tf from '@tensorflow/tfjs';
import type { Backbone, BackboneFeatures } from '@terramae/backbones';
import { conv2d, gelu, layerNorm, Module, ModuleList, onesInit, Rng, truncNormal, zerosInit } from '@terramae/tensors';
import { EvaluationError } from '../errors';
import { upsampleNearest } from './upsample-nearest';

/** `conv 3×3 → LayerNorm → GELU`, MMEarth's `UpsampleBlock` after its upsample (params `conv.*`, `norm.*`). */
class ConvNormAct extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly lnWeight: tf.Variable;
  readonly lnBias: tf.Variable;
  constructor(inDim: number, outDim: number, rng: Rng, names: { conv: string; norm: string }) {
    super();
    this.weight = this.param(`${names.conv}.weight`, truncNormal([3, 3, inDim, outDim], rng, 0.02), { torchLayout: 'conv' });
    this.bias = this.param(`${names.conv}.bias`, zerosInit([outDim]));
    this.lnWeight = this.param(`${names.norm}.weight`, onesInit([outDim]));
    this.lnBias = this.param(`${names.norm}.bias`, zerosInit([outDim]));
  }
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => gelu(layerNorm(conv2d(x, this.weight as tf.Tensor4D, this.bias as tf.Tensor1D, 'same'), this.lnWeight as tf.Tensor1D, this.lnBias as tf.Tensor1D, 1e-6)) as tf.Tensor4D);
  }
}

/** Configuration of a {@link UNetDecoder}. */
export interface UNetDecoderConfig {
  /** Channels of the backbone's four stages (ConvNeXt `dims`, e.g. atto 40, 80, 160, 320). */
  readonly dims: readonly [number, number, number, number];
  /** Stem stride `k = patchSize / 8`: the factor of the last upsampling. */
  readonly stemStride: number;
  /** Output classes of the 1×1 head. */
  readonly numClasses: number;
  /** Whether the pyramid has MMEarth's `initial_conv` map to concatenate at full resolution (false for the original patchify stem). Default true. */
  readonly initialConvSkip?: boolean;
  /** Init seed. Default 0. */
  readonly seed?: number;
}

/** The maps a {@link UNetDecoder} reads, coarsest first. */
export interface UNetSkips {
  readonly stage3: tf.Tensor4D;
  readonly stage2: tf.Tensor4D;
  readonly stage1: tf.Tensor4D;
  readonly stem: tf.Tensor4D;
  readonly initialConv?: tf.Tensor4D;
}

/**
 * MMEarth's U-Net decoder (`convnextv2_unet.py`) over a ConvNeXt V2 feature pyramid: four
 * `[nearest upsample → 3×3 conv → LayerNorm → GELU]` blocks (×2, ×2, ×2, then ×k), each output
 * concatenated with the stage-2, stage-1, stem and `initial_conv` maps, then
 * `initial_conv_upsample` (3×3 conv → LN → GELU to `d0/2`) and a 1×1 `head`. Parameter names and
 * shapes are the reference's (`upsample_layers.<i>.conv/norm.*`, `initial_conv_upsample.{0,1}.*`,
 * `head.*`) when the dims double per stage, so a reference checkpoint loads; the input widths are
 * taken from the maps, so other dims work too. Built from `@terramae/tensors` ops: trains on wasm.
 */
export class UNetDecoder extends Module {
  readonly config: Required<UNetDecoderConfig>;
  private readonly ups: ModuleList<ConvNormAct>;
  private readonly last: ConvNormAct;
  private readonly headWeight: tf.Variable;
  private readonly headBias: tf.Variable;

  constructor(config: UNetDecoderConfig) {
    super();
    const c: Required<UNetDecoderConfig> = { initialConvSkip: true, seed: 0, ...config };
    const [d0, d1, d2, d3] = c.dims;
    if (c.dims.some((d) => !Number.isInteger(d) || d < 2) || !Number.isInteger(c.stemStride) || c.stemStride < 1 || !Number.isInteger(c.numClasses) || c.numClasses < 1) {
      throw new EvaluationError(`UNetDecoder: dims must be integers >= 2, stemStride and numClasses positive integers; got dims [${c.dims.join(', ')}], stemStride ${c.stemStride}, numClasses ${c.numClasses}.`);
    }
    this.config = c;
    const rng = new Rng(c.seed);
    const names = { conv: 'conv', norm: 'norm' };
    this.ups = this.module('upsample_layers', new ModuleList<ConvNormAct>());
    const o0 = Math.floor(d3 / 2);
    const o1 = Math.floor(d2 / 2);
    const o2 = Math.floor(d1 / 2);
    this.ups.push(new ConvNormAct(d3, o0, rng, names));
    this.ups.push(new ConvNormAct(o0 + d2, o1, rng, names));
    this.ups.push(new ConvNormAct(o1 + d1, o2, rng, names));
    this.ups.push(new ConvNormAct(o2 + d0, d0, rng, names));
    this.last = this.module('initial_conv_upsample', new ConvNormAct(c.initialConvSkip ? 2 * d0 : d0, Math.floor(d0 / 2), rng, { conv: '0', norm: '1' }));
    this.headWeight = this.param('head.weight', truncNormal([1, 1, Math.floor(d0 / 2), c.numClasses], rng, 0.02), { torchLayout: 'conv' });
    this.headBias = this.param('head.bias', zerosInit([c.numClasses]));
  }

  /** Per-pixel logits `[B, H, W, numClasses]` from the skip maps. */
  apply(skips: UNetSkips): tf.Tensor4D {
    const k = this.config.stemStride;
    const cat = (a: tf.Tensor4D, b: tf.Tensor4D, what: string): tf.Tensor4D => {
      if (a.shape[1] !== b.shape[1] || a.shape[2] !== b.shape[2]) {
        throw new EvaluationError(
          `UNetDecoder: the upsampled map is ${a.shape[1]}×${a.shape[2]} but the ${what} map is ${b.shape[1]}×${b.shape[2]}. ` +
            "Use an input whose side is a multiple of the patch size and a backbone with padding 'same' or 'unet'.",
        );
      }
      return tf.concat([a, b], 3);
    };
    if (this.config.initialConvSkip && !skips.initialConv) {
      throw new EvaluationError("UNetDecoder: built with initialConvSkip but the pyramid has no 'initial_conv' map; build it with initialConvSkip: false for the original stem.");
    }
    return tf.tidy(() => {
      const [u0, u1, u2, u3] = this.ups.items as [ConvNormAct, ConvNormAct, ConvNormAct, ConvNormAct];
      let x = cat(u0.apply(upsampleNearest(skips.stage3, 2)), skips.stage2, 'stage-2');
      x = cat(u1.apply(upsampleNearest(x, 2)), skips.stage1, 'stage-1');
      x = cat(u2.apply(upsampleNearest(x, 2)), skips.stem, 'stem');
      x = u3.apply(upsampleNearest(x, k));
      if (this.config.initialConvSkip) x = cat(x, skips.initialConv as tf.Tensor4D, 'initial_conv');
      x = this.last.apply(x);
      return conv2d(x, this.headWeight as tf.Tensor4D, this.headBias as tf.Tensor1D, 'valid');
    });
  }
}

/**
 * The skip maps of a backbone's feature pyramid. Reads ConvNeXt V2's `pyramidLevels` names, or by
 * position a pyramid of `[initial_conv?, stem, stage0, stage1, stage2, stage3]`.
 */
export function unetSkips(features: BackboneFeatures & { readonly pyramidLevels?: readonly string[] }): UNetSkips {
  const maps = features.pyramid;
  if (!maps || maps.length < 5) {
    throw new EvaluationError(`unetSkips: the backbone returned ${maps ? `${maps.length} pyramid maps` : 'no pyramid'}; the U-Net decoder needs a grid backbone's [stem, stage0..stage3] maps (call forwardFeatures(x, { pyramid: true })).`);
  }
  const levels = features.pyramidLevels ?? (maps.length === 6 ? ['initial_conv', 'stem', 'stage0', 'stage1', 'stage2', 'stage3'] : ['stem', 'stage0', 'stage1', 'stage2', 'stage3']);
  const at = (name: string) => maps[levels.indexOf(name)];
  const need = (name: string) => {
    const m = at(name);
    if (!m) throw new EvaluationError(`unetSkips: the pyramid has no '${name}' map (levels: ${levels.join(', ')}).`);
    return m;
  };
  const initialConv = at('initial_conv');
  return { stage3: need('stage3'), stage2: need('stage2'), stage1: need('stage1'), stem: need('stem'), ...(initialConv ? { initialConv } : {}) };
}

/**
 * A {@link UNetDecoder} sized for a backbone: a grid backbone with ConvNeXt-style `config.dims`
 * and `config.stemStride` (and `config.stem`: the original patchify stem has no `initial_conv` skip).
 */
export function unetDecoderFor(backbone: Backbone, numClasses: number, seed = 0): UNetDecoder {
  const config = (backbone as unknown as { config?: { dims?: number[]; stemStride?: number; stem?: string } }).config;
  if (backbone.layout !== 'grid' || !config?.dims || config.dims.length !== 4 || !config.stemStride) {
    throw new EvaluationError(`unetDecoderFor: the U-Net decoder needs a 4-stage grid backbone such as ConvNeXt V2 (got a ${backbone.layout} backbone); build a UNetDecoder with explicit dims otherwise.`);
  }
  return new UNetDecoder({ dims: config.dims as [number, number, number, number], stemStride: config.stemStride, numClasses, initialConvSkip: config.stem !== 'original', seed });
}

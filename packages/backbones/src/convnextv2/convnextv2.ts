import * as tf from '@tensorflow/tfjs';
import { Module, ModuleList, Rng, layerNorm, type EncoderOutput } from '@terramae/tensors';
import type { Backbone, BackboneFeatures, MaskedForwardOptions } from '../types';
import { ConvNeXtV2Block } from './block';
import {
  dropPathRates,
  resolveConvNeXtV2Config,
  stageSizes,
  type ConvNeXtV2Config,
  type ResolvedConvNeXtV2Config,
} from './config';
import { ConvNeXtV2InputError } from './errors';
import { CONVNEXT_LN_EPS, DownsampleLayer, InitialConv, LayerNormParams, LinearLayer, PatchStem } from './layers';
import { buildVisibility, type VisibilityPyramid } from './visibility';

/** Names of the levels of {@link ConvNeXtV2Features.pyramid}, finest first. */
export type ConvNeXtV2PyramidLevel = 'initial_conv' | 'stem' | 'stage0' | 'stage1' | 'stage2' | 'stage3';

/** {@link BackboneFeatures} of a ConvNeXt V2, with the name of each pyramid level. */
export interface ConvNeXtV2Features extends BackboneFeatures {
  /**
   * Names of `pyramid`'s maps: `initial_conv` (MMEarth stem only; after its GELU), `stem` (after
   * the stem's LayerNorm, before stage 0), `stage0` … `stage3` (block outputs). MMEarth's U-Net
   * concatenates `stage2`, `stage1`, `stem` and `initial_conv`.
   */
  readonly pyramidLevels?: readonly ConvNeXtV2PyramidLevel[];
}

/** Every intermediate of one dense forward (see {@link ConvNeXtV2.forwardDetailed}). */
export interface ConvNeXtV2Outputs {
  /** `initial_conv` output (MMEarth stem only). */
  readonly initialConv?: tf.Tensor4D;
  /** Stem output (after its LayerNorm). */
  readonly stem: tf.Tensor4D;
  /** Outputs of stages 0..3. */
  readonly stages: readonly tf.Tensor4D[];
  /** `[B, d3]` global average pool of stage 3. */
  readonly pooled: tf.Tensor2D;
  /** `[B, d3]` final LayerNorm of `pooled` (the head's input). */
  readonly features: tf.Tensor2D;
  /** `[B, numClasses]` head output, when the model has a head. */
  readonly logits?: tf.Tensor2D;
}

interface Encoded {
  initialConv?: tf.Tensor4D;
  stem: tf.Tensor4D;
  stages: tf.Tensor4D[];
}

const SPARSE_GEOMETRY = { initialConv: 1, stem: 0 } as const;

/**
 * ConvNeXt V2 (Woo et al., CVPR 2023) with MMEarth's modified stem, exact to
 * vishalned/MMEarth-train `models/convnextv2.py` (dense) and `models/convnextv2_sparse.py`
 * (FCMAE masked mode, emulated densely without MinkowskiEngine). NHWC throughout; parameter names
 * are the PyTorch state-dict keys (`initial_conv.0.weight`, `stem.0.weight`,
 * `downsample_layers.0.1.weight`, `stages.2.5.grn.gamma`, `norm.weight`, `head.weight`, …), so
 * `loadTorchStateDict` imports a reference checkpoint and `torchStateDict` exports one.
 *
 * - `forward(x)` returns the stage-3 map (a `grid` {@link EncoderOutput}).
 * - `forward(x, { mask })` is the FCMAE masked encoder: hidden positions are zeroed before every
 *   spatial op (initial conv, stem, each 7×7 depthwise conv, each downsampling), GRN statistics
 *   are taken over visible positions only (batch-global by default, as MMEarth's sparse GRN), and
 *   the output is zero at hidden cells. It always uses the sparse original's "same" geometry.
 * - `forwardFeatures(x)` pools (GAP → final LayerNorm) and can return the feature pyramid.
 * - `classify(x)` adds the linear `head` (the dense fine-tuning model).
 */
export class ConvNeXtV2 extends Module implements Backbone {
  /** Output layout. */
  readonly layout = 'grid' as const;
  /** The resolved configuration. */
  readonly config: ResolvedConvNeXtV2Config;
  /** Width of the stage-3 map. */
  readonly dim: number;
  /** Input pixels per output cell. */
  readonly patchSize: number;
  /** Input bands. */
  readonly inChannels: number;
  /** Generator of the drop-path draws (its state can be saved with a checkpoint). */
  readonly dropPathRng: Rng;
  private readonly downsampleLayers: ModuleList<DownsampleLayer>;
  private readonly initialConv?: InitialConv;
  private readonly stem: PatchStem;
  private readonly stages: ModuleList<ModuleList<ConvNeXtV2Block>>;
  private readonly norm?: LayerNormParams;
  private readonly headLayer?: LinearLayer;

  constructor(config: ConvNeXtV2Config) {
    super();
    const c = resolveConvNeXtV2Config(config);
    this.config = c;
    this.dim = c.dims[3] as number;
    this.patchSize = c.patchSize;
    this.inChannels = c.inChannels;
    const rng = new Rng(c.seed);
    this.dropPathRng = config.rng ?? rng.fork();
    const d = c.dims as [number, number, number, number];
    // Registration order follows PyTorch's state_dict order.
    this.downsampleLayers = this.module('downsample_layers', new ModuleList<DownsampleLayer>());
    if (c.stem === 'mmearth') {
      this.initialConv = this.module('initial_conv', new InitialConv(c.inChannels, d[0], rng));
      this.stem = this.module('stem', new PatchStem(d[0], d[0], c.stemStride, true, rng));
    } else {
      this.stem = this.module('stem_orig', new PatchStem(c.inChannels, d[0], c.stemStride, false, rng));
    }
    for (let i = 0; i < 3; i++) this.downsampleLayers.push(new DownsampleLayer(d[i], d[i + 1], rng));
    this.stages = this.module('stages', new ModuleList<ModuleList<ConvNeXtV2Block>>());
    const rates = dropPathRates(c.depths, c.dropPathRate);
    c.depths.forEach((depth, i) => {
      const stage = new ModuleList<ConvNeXtV2Block>();
      for (let j = 0; j < depth; j++) {
        stage.push(new ConvNeXtV2Block({ dim: d[i], dropPath: rates[i]?.[j] ?? 0, rng, dropPathRng: this.dropPathRng }));
      }
      this.stages.push(stage);
    });
    if (c.finalNorm) this.norm = this.module('norm', new LayerNormParams(d[3]));
    if (c.numClasses > 0) this.headLayer = this.module('head', new LinearLayer(d[3], c.numClasses, rng, c.headInitScale));
  }

  /** Output grid of the dense forward for an input of `height × width` pixels. */
  outputGrid(height: number, width: number): [number, number] {
    return [stageSizes(this.config, height)[4] as number, stageSizes(this.config, width)[4] as number];
  }

  /**
   * Encoder forward. Without `mask`: the dense stage-3 map. With `mask` (`[B, L]` over the
   * `(H/p)×(W/p)` patch grid, 1 = hidden): the FCMAE masked encoder (see the class notes); the
   * output carries a copy of the mask.
   */
  forward(x: tf.Tensor4D, options: MaskedForwardOptions = {}): EncoderOutput {
    this.checkInput(x, 'forward', options.mask !== undefined);
    if (options.idsKeep || options.keyMask || options.boxes) {
      const given = (['idsKeep', 'keyMask', 'boxes'] as const).filter((k) => options[k]).join(', ');
      throw new ConvNeXtV2InputError(
        `ConvNeXt V2 forward: option(s) ${given} belong to token backbones (ViT); a grid backbone takes only 'mask' (and 'views').`,
      );
    }
    const { mask } = options;
    const views = options.views !== undefined ? { views: options.views } : {};
    if (!mask) {
      const features = tf.tidy(() => this.encode(x).stages[3] as tf.Tensor4D);
      return { layout: 'grid', features, dim: this.dim, grid: [features.shape[1], features.shape[2]], patchSize: this.patchSize, ...views };
    }
    const { features, maskOut } = tf.tidy(() => {
      const vis = buildVisibility(x, mask, this.config);
      const out = this.encode(x, vis).stages[3] as tf.Tensor4D;
      return { features: out.mul(vis.stages[3] as tf.Tensor4D) as tf.Tensor4D, maskOut: mask.toFloat().clone() as tf.Tensor2D };
    });
    return {
      layout: 'grid',
      features,
      mask: maskOut,
      dim: this.dim,
      grid: [features.shape[1], features.shape[2]],
      patchSize: this.patchSize,
      ...views,
    };
  }

  /**
   * Downstream features of the dense forward: `pooled` = final LayerNorm of the global average
   * pool of stage 3; with `pyramid`, the NHWC maps named in `pyramidLevels` (finest first).
   */
  forwardFeatures(x: tf.Tensor4D, options: { pyramid?: boolean } = {}): ConvNeXtV2Features {
    this.checkInput(x, 'forwardFeatures');
    return tf.tidy(() => {
      const e = this.encode(x);
      const pooled = this.pool(e.stages[3] as tf.Tensor4D).features;
      if (!options.pyramid) return { pooled };
      const levels: ConvNeXtV2PyramidLevel[] = [];
      const maps: tf.Tensor4D[] = [];
      if (e.initialConv) {
        levels.push('initial_conv');
        maps.push(e.initialConv);
      }
      levels.push('stem', 'stage0', 'stage1', 'stage2', 'stage3');
      maps.push(e.stem, ...e.stages);
      return { pooled, pyramid: maps, pyramidLevels: levels };
    }) as ConvNeXtV2Features;
  }

  /** Logits `[B, numClasses]` of the dense fine-tuning model: `head(norm(GAP(stages(x))))`. */
  classify(x: tf.Tensor4D): tf.Tensor2D {
    this.checkInput(x, 'classify');
    this.requireHead();
    return tf.tidy(() => this.head(this.pool(this.encode(x).stages[3] as tf.Tensor4D).features));
  }

  /** Every intermediate of one dense forward (for debugging and the parity fixtures). */
  forwardDetailed(x: tf.Tensor4D): ConvNeXtV2Outputs {
    this.checkInput(x, 'forwardDetailed');
    return tf.tidy(() => {
      const e = this.encode(x);
      const { pooled, features } = this.pool(e.stages[3] as tf.Tensor4D);
      return {
        ...(e.initialConv ? { initialConv: e.initialConv } : {}),
        stem: e.stem,
        stages: e.stages,
        pooled,
        features,
        ...(this.headLayer ? { logits: this.head(features) } : {}),
      };
    }) as unknown as ConvNeXtV2Outputs;
  }

  private requireHead(): void {
    if (!this.headLayer) {
      throw new ConvNeXtV2InputError('ConvNeXt V2 classify: this model has no head; build it with numClasses > 0.');
    }
  }

  private head(features: tf.Tensor2D): tf.Tensor2D {
    return (this.headLayer as LinearLayer).forward(features) as tf.Tensor2D;
  }

  private pool(x: tf.Tensor4D): { pooled: tf.Tensor2D; features: tf.Tensor2D } {
    const pooled = x.mean([1, 2]) as tf.Tensor2D;
    const c = this.dim;
    const features = this.norm
      ? this.norm.forward(pooled)
      : tf.tidy(() => layerNorm(pooled, tf.ones([c]) as tf.Tensor1D, tf.zeros([c]) as tf.Tensor1D, CONVNEXT_LN_EPS));
    return { pooled, features: features as tf.Tensor2D };
  }

  /** The encoder; call inside a tidy. With `vis`: masked mode in the sparse geometry. */
  private encode(x: tf.Tensor4D, vis?: VisibilityPyramid): Encoded {
    const c = this.config;
    const padding = vis ? SPARSE_GEOMETRY : c.padding;
    const masked = vis ? { grnEps: c.maskedGrnEps, statistics: c.maskedGrnStatistics } : { grnEps: c.grnEps };
    let h: tf.Tensor4D = vis ? (tf.where(vis.pixelsBool, x, tf.zerosLike(x)) as tf.Tensor4D) : x;
    let initialConv: tf.Tensor4D | undefined;
    if (this.initialConv) {
      initialConv = this.initialConv.forward(h, padding.initialConv);
      h = vis ? (initialConv.mul(vis.pixels) as tf.Tensor4D) : initialConv;
    }
    const stem = this.stem.forward(h, padding.stem);
    h = stem;
    const stages: tf.Tensor4D[] = [];
    for (let i = 0; i < 4; i++) {
      const visible = vis?.stages[i];
      if (i > 0) h = (this.downsampleLayers.items[i - 1] as DownsampleLayer).forward(h, vis?.stages[i - 1]);
      for (const block of (this.stages.items[i] as ModuleList<ConvNeXtV2Block>).items) {
        h = block.forward(h, { ...masked, ...(visible ? { visible } : {}) });
      }
      stages.push(h);
    }
    return { ...(initialConv ? { initialConv } : {}), stem, stages };
  }

  private checkInput(x: tf.Tensor, where: string, masked = false): void {
    if (x.rank !== 4 || x.shape[3] !== this.inChannels) {
      throw new ConvNeXtV2InputError(
        `ConvNeXt V2 ${where}: expected an NHWC batch [B, H, W, ${this.inChannels}], got [${x.shape.join(', ')}]; transpose NCHW input with x.transpose([0, 2, 3, 1]) or set inChannels.`,
      );
    }
    const padding = masked ? SPARSE_GEOMETRY : this.config.padding;
    const [h, w] = [x.shape[1] as number, x.shape[2] as number];
    if (Math.min(...stageSizes(this.config, h, padding), ...stageSizes(this.config, w, padding)) < 1) {
      throw new ConvNeXtV2InputError(
        `ConvNeXt V2 ${where}: an input of ${h}×${w} px leaves no cell after the stem and three 2× downsamplings (patchSize ${this.patchSize}); use at least ${this.patchSize} px per side (plus 2 with 'finetune' padding).`,
      );
    }
  }
}

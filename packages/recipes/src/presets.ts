import { mmearthTasks, type MMEarthConfigName } from '@terramae/pretext';
import type { Recipe, RecipeTask } from './recipe';

/** Paper-scale settings or a small preset that runs on a laptop CPU in minutes. */
export type RecipeScale = 'paper' | 'laptop' | 'tiny';

const ADAMW_PRETRAIN = { name: 'adamw', blr: 1.5e-4, betas: [0.9, 0.95], weightDecay: 0.05, noDecay: 'timm' } as const;

/** Epochs, batch and accumulation per scale for the MAE-family pretraining recipes. */
function scaleSettings(scale: RecipeScale, paperEpochs: number, paperWarmup: number) {
  switch (scale) {
    case 'paper': // effective batch 4096 = 256 × 16 on one device
      return { schedule: { epochs: paperEpochs, warmupEpochs: paperWarmup }, batch: { size: 256, accumulate: 16 } };
    case 'laptop':
      return { schedule: { epochs: 20, warmupEpochs: 2 }, batch: { size: 16, accumulate: 1 } };
    case 'tiny':
      return { schedule: { epochs: 2, warmupEpochs: 0, maxSteps: 20 }, batch: { size: 8, accumulate: 1 } };
  }
}

function laptopLr(scale: RecipeScale): number {
  // blr·batch/256 is tiny for small batches; laptop presets use a fixed, larger base lr instead.
  return scale === 'paper' ? 1.5e-4 : 1.5e-3;
}

/** Options of {@link mpMae}. */
export interface MpMaeOptions {
  /** ConvNeXt V2 size. Default `atto`. */
  readonly size?: 'atto' | 'femto' | 'pico' | 'nano' | 'tiny' | 'base' | 'large' | 'huge';
  /** Encoder input side: 56 (MMEarth64, patch 8) or 112 (MMEarth, patch 16). Default 56. */
  readonly input?: number;
  /** Mask patch size; the mask grid is input/patch (7×7 in every MMEarth run). Default input/7. */
  readonly patch?: number;
  /** MMEarth configuration: `all` (12 tasks), `img`, `pix`, `s2` (FCMAE only), `rgb`. Default `all`. */
  readonly tasks?: MMEarthConfigName;
  /** `uncertainty` (learned) or `unweighted` (plain sum). Default `uncertainty`. */
  readonly aggregation?: 'uncertainty' | 'unweighted';
  /** Mask ratio. Default 0.6. */
  readonly maskRatio?: number;
  readonly scale?: RecipeScale;
  readonly data?: Recipe['data'];
  readonly seed?: number;
}

/** RGB as MMEarth's `rgb` variant reads it: B2, B3, B4 (blue, green, red). */
const MMEARTH_RGB = ['B2', 'B3', 'B4'] as const;

/**
 * MP-MAE (MMEarth, Nedungadi et al., ECCV 2024, §3–4): a ConvNeXt V2 FCMAE on 12-band Sentinel-2
 * that also predicts the other modalities, with uncertainty-weighted losses. Paper defaults:
 * 200 epochs, 40 warmup, effective batch 4096, blr 1.5e-4, AdamW (0.9, 0.95), wd 0.05, mask 0.6,
 * norm-pix on S2.
 */
export function mpMae(options: MpMaeOptions = {}): Recipe {
  const size = options.size ?? 'atto';
  const input = options.input ?? 56;
  const patch = options.patch ?? input / 7;
  const config = options.tasks ?? 'all';
  const scale = options.scale ?? 'paper';
  const s = scaleSettings(scale, 200, 40);
  const tasks: RecipeTask[] = mmearthTasks(config).map((t) => ({ task: t.definition.name, id: t.id, config: t.config as Record<string, unknown> }));
  return {
    name: `mp-mae-${config}-${size}-${input}-${scale}`,
    description: `MP-MAE (${config} modalities) on ConvNeXt V2 ${size}, ${input} px input, patch ${patch}.`,
    reference: 'MMEarth: Nedungadi et al., ECCV 2024 (arXiv 2405.02771), §3 MP-MAE; code vishalned/MMEarth-train',
    seed: options.seed ?? 0,
    // masked GRN statistics over every visible position of the batch, as the sparse MinkowskiGRN
    // that trained the released checkpoints (specs/mmearth.md §2.2, pitfall 13); 'sample' is upstream's JAX variant
    backbone: { name: `convnextv2_${size}`, options: { inChannels: config === 'rgb' ? 3 : 12, patchSize: patch, stem: 'mmearth', maskedGrnStatistics: 'batch' } },
    input: { modality: 'sentinel2', size: input, ...(config === 'rgb' ? { bands: [...MMEARTH_RGB] } : {}) },
    masking: { name: 'fcmae', options: { ratio: options.maskRatio ?? 0.6 } },
    tasks,
    aggregator: { name: (options.aggregation ?? 'uncertainty') === 'uncertainty' ? 'uncertainty' : 'sum' },
    optimizer: { ...ADAMW_PRETRAIN, blr: laptopLr(scale), betas: [0.9, 0.95] },
    schedule: { kind: 'half-cycle-cosine', minLr: 0, ...s.schedule },
    batch: s.batch,
    data: options.data ?? { kind: 'synthetic', options: { locations: scale === 'paper' ? 100000 : 512, tileSize: input === 112 ? 128 : 64 } },
    evaluation: { linearProbe: { folds: 5 }, knn: { k: 20 } },
  };
}

/** FCMAE: MP-MAE with Sentinel-2 reconstruction only (MMEarth's `S2` baseline; ConvNeXt V2 §3). */
export function fcmae(options: Omit<MpMaeOptions, 'tasks' | 'aggregation'> = {}): Recipe {
  const r = mpMae({ ...options, tasks: 's2', aggregation: 'unweighted' });
  return {
    ...r,
    name: r.name.replace('mp-mae-s2', 'fcmae'),
    description: `FCMAE (Sentinel-2 reconstruction only) on ConvNeXt V2 ${options.size ?? 'atto'}.`,
    reference: 'FCMAE: Woo et al., ConvNeXt V2, CVPR 2023 (arXiv 2301.00808) §3; as the S2 baseline of MMEarth (Nedungadi et al., ECCV 2024); code vishalned/MMEarth-train',
  };
}

/** Options of {@link mae}. */
export interface MaeOptions {
  readonly size?: 'tiny' | 'small' | 'base' | 'large' | 'huge';
  readonly input?: number;
  readonly patch?: number;
  readonly maskRatio?: number;
  readonly normPix?: boolean;
  readonly scale?: RecipeScale;
  readonly data?: Recipe['data'];
  readonly seed?: number;
}

/**
 * MAE (He et al., CVPR 2022) on Sentinel-2: ViT encoder, 8-block 512-d decoder, mask 0.75,
 * norm-pix. Paper defaults: 800 epochs, 40 warmup, batch 4096, blr 1.5e-4.
 */
export function mae(options: MaeOptions = {}): Recipe {
  const size = options.size ?? 'tiny';
  const input = options.input ?? 64;
  const patch = options.patch ?? 8;
  const scale = options.scale ?? 'paper';
  const s = scaleSettings(scale, 800, 40);
  return {
    name: `mae-vit-${size}-${input}-${scale}`,
    description: `MAE on ViT-${size}/${patch}, ${input} px Sentinel-2.`,
    reference: 'MAE: He et al., CVPR 2022; code facebookresearch/mae',
    seed: options.seed ?? 0,
    backbone: { name: `vit_${size}`, options: { inChannels: 12, patchSize: patch, imageSize: input } },
    input: { modality: 'sentinel2', size: input },
    masking: { name: 'random', options: { ratio: options.maskRatio ?? 0.75 } },
    tasks: [{ task: 'mae-reconstruction', config: { normPixLoss: options.normPix ?? true } }],
    aggregator: { name: 'sum' },
    optimizer: { ...ADAMW_PRETRAIN, blr: laptopLr(scale), betas: [0.9, 0.95] },
    schedule: { kind: 'half-cycle-cosine', minLr: 0, ...s.schedule },
    batch: s.batch,
    data: options.data ?? { kind: 'synthetic', options: { locations: 512, tileSize: 64 } },
    evaluation: { linearProbe: { folds: 5 }, knn: { k: 20 } },
  };
}

/** Options of {@link neighborMae}. */
export interface NeighborMaeOptions extends MaeOptions {
  /** Mask ratio range set from the pair's IoU. Default [0.75, 0.85] (the README's ViT-L run). */
  readonly maskRange?: readonly [number, number];
}

/**
 * NeighborMAE (Zeng et al., CVPR 2026): a ViT MAE that jointly reconstructs two neighbouring
 * images with footprint-box positional embeddings, an IoU-adaptive mask ratio and a
 * cross-visibility loss weight. Paper defaults (README ViT-L command): 800 epochs, 5 % warmup,
 * 2048 images = 1024 pairs per step, blr 1.5e-4 scaled by images (lr 1.2e-3), AdamW (0.9, 0.95),
 * wd 0.05 with norm/bias excluded.
 *
 * Epochs: NeighborMAE's epoch is `#files // 2048` steps, i.e. `#files` images (half the files as
 * anchors); an epoch here is one pass over the pair source (`#files` pairs = `2·#files` images for
 * same-place and crop pairs), so the paper preset runs 400 of ours (warmup 20) = 800 of theirs.
 */
export function neighborMae(options: NeighborMaeOptions = {}): Recipe {
  const base = mae({ ...options, input: options.input ?? 64 });
  const [rMin, rMax] = options.maskRange ?? [0.75, 0.85];
  const scale = options.scale ?? 'paper';
  return {
    ...base,
    name: base.name.replace('mae-vit', 'neighbormae-vit'),
    description: `NeighborMAE on ViT-${options.size ?? 'tiny'}: joint reconstruction of neighbouring pairs.`,
    reference: 'NeighborMAE: Zeng et al., CVPR 2026 (arXiv 2603.02522); code LeungTsang/NeighborMAE',
    backbone: { name: base.backbone.name, options: { ...base.backbone.options, posEmbed: 'box', numViews: 2 } },
    input: { ...base.input, views: 2 },
    masking: { name: 'neighbor-adaptive', options: { ratioMin: rMin, ratioMax: rMax } },
    tasks: [{ task: 'neighbor-reconstruction', config: { normPixLoss: options.normPix ?? true } }],
    optimizer: { ...base.optimizer, noDecay: 'norm-bias' },
    schedule: scale === 'paper' ? { ...base.schedule, kind: 'neighbormae', epochs: 400, warmupEpochs: 20 } : { ...base.schedule, kind: 'neighbormae' },
    // paper: 4 GPUs × 256 pairs = 1024 pairs (2048 images) per step
    batch: scale === 'paper' ? { size: 256, accumulate: 4 } : base.batch,
    data: options.data ?? { kind: 'synthetic', options: { locations: 512, tileSize: 64, pairs: true } },
  };
}

/**
 * A hybrid: the first recipe's backbone, masking, optimiser and data, with the task lists of all
 * recipes concatenated under one aggregator (uncertainty weighting by default). Task ids must stay
 * unique; a collision is an error that names the task.
 */
export function hybrid(first: Recipe, ...rest: Recipe[]): Recipe {
  const tasks = [first, ...rest].flatMap((r) => r.tasks);
  const views = Math.max(...[first, ...rest].map((r) => r.input.views ?? 1));
  const neighbour = [first, ...rest].find((r) => r.masking.name === 'neighbor-adaptive');
  return {
    ...first,
    name: [first, ...rest].map((r) => r.name.split('-').slice(0, 2).join('-')).join('+'),
    description: `Hybrid of ${[first, ...rest].map((r) => r.name).join(', ')}.`,
    input: { ...first.input, views },
    masking: neighbour && views > 1 ? neighbour.masking : first.masking,
    tasks,
    aggregator: { name: 'uncertainty' },
    ...(views > 1 && neighbour ? { data: neighbour.data } : {}),
  };
}

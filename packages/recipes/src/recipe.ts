/**
 * A pretraining recipe: plain, serialisable data. MP-MAE, FCMAE, MAE, NeighborMAE and hybrids are
 * all values of this one type; a hybrid concatenates task lists under one aggregator.
 */
export interface Recipe {
  /** Short identifier, e.g. `mp-mae-all-atto-56`. */
  readonly name: string;
  readonly description?: string;
  /** Paper and section this recipe follows. */
  readonly reference?: string;
  readonly backbone: ComponentRef;
  readonly input: RecipeInput;
  readonly masking: ComponentRef;
  readonly tasks: readonly RecipeTask[];
  readonly aggregator: ComponentRef;
  readonly optimizer: RecipeOptimizer;
  readonly schedule: RecipeSchedule;
  readonly batch: RecipeBatch;
  readonly data: RecipeData;
  readonly evaluation?: RecipeEvaluation;
  /** Random seed of everything (init, masks, crops, shuffles). */
  readonly seed: number;
}

/** A registered component by name with its options. */
export interface ComponentRef {
  readonly name: string;
  readonly options?: Readonly<Record<string, unknown>>;
}

/** What the encoder reads. */
export interface RecipeInput {
  /** Input modality, e.g. `sentinel2`. */
  readonly modality: string;
  /** Band names in order (default: every band of the modality the dataset provides). */
  readonly bands?: readonly string[];
  /** Square crop side fed to the encoder (56 for MMEarth64, 112 for MMEarth). */
  readonly size: number;
  /** Views per sample (2 for neighbour pairs). */
  readonly views?: number;
}

/** One pretext task of the recipe. */
export interface RecipeTask {
  /** Registered task name. */
  readonly task: string;
  /** Unique id in the recipe (default: derived from the task and its target). */
  readonly id?: string;
  readonly config?: Readonly<Record<string, unknown>>;
}

/** AdamW settings (the references use AdamW everywhere). */
export interface RecipeOptimizer {
  readonly name: 'adamw';
  /** Base learning rate; the actual lr is `blr · effectiveBatch / 256`. */
  readonly blr: number;
  readonly betas: readonly [number, number];
  readonly weightDecay: number;
  /** Which parameters skip weight decay: `timm` (1-D and biases), `norm-bias` (NeighborMAE), `convnext`. */
  readonly noDecay: 'timm' | 'norm-bias' | 'convnext' | 'none';
  /** Clip the global gradient norm (none in the references). */
  readonly clipGradNorm?: number;
}

/** Learning-rate schedule, updated every iteration. */
export interface RecipeSchedule {
  /** `half-cycle-cosine` (MAE, MMEarth) or `neighbormae` (LambdaLR warmup (it+1)/warmup, then cosine). */
  readonly kind: 'half-cycle-cosine' | 'neighbormae' | 'constant';
  readonly epochs: number;
  readonly warmupEpochs: number;
  readonly minLr: number;
  /** Cap on optimiser steps (small presets); default: epochs × iterations per epoch. */
  readonly maxSteps?: number;
}

/** Batch sizes. */
export interface RecipeBatch {
  /** Samples per micro-batch. */
  readonly size: number;
  /** Micro-batches accumulated per optimiser step (effective batch = size × accumulate). */
  readonly accumulate: number;
}

/** Where the data comes from. */
export interface RecipeData {
  /** `mmearth` (HDF5 + JSON side files), `synthetic` (generated), `geotiff-folder`, `scene-pairs`. */
  readonly kind: 'mmearth' | 'synthetic' | 'geotiff-folder' | 'scene-pairs';
  /** File or folder (not needed for `synthetic`). */
  readonly path?: string;
  /** Split to train on. */
  readonly split?: string;
  /** Options of the data source (e.g. `{ locations: 256, tileSize: 64 }` for synthetic). */
  readonly options?: Readonly<Record<string, unknown>>;
}

/** Downstream evaluation run after pretraining. */
export interface RecipeEvaluation {
  readonly linearProbe?: { readonly folds?: number; readonly epochs?: number };
  readonly knn?: { readonly k?: number };
}

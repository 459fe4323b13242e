import type * as tf from '@tensorflow/tfjs';
import type { Backbone } from '@terramae/backbones';
import type { MaskSample } from '@terramae/masking';
import type { Batch, EncoderOutput, Module, ModalitySpec, Rng } from '@terramae/tensors';
// The built-in tasks' configs are listed in the map directly (type-only imports), so the map is
// complete in the published declarations; plugins add theirs with `declare module '@terramae/pretext'`.
import type { MaeReconstructionConfig } from '../tasks/mae/mae-task';
import type { ImageClassificationConfig } from '../tasks/mmearth/image-classification';
import type { ImageRegressionConfig } from '../tasks/mmearth/image-regression';
import type { PixelClassificationConfig } from '../tasks/mmearth/pixel-classification';
import type { PixelReconstructionConfig } from '../tasks/mmearth/pixel-reconstruction';
import type { NeighborReconstructionConfig } from '../tasks/neighbor/neighbor-task';

/** Where a task's target lives: per pixel, per image, or across neighbouring views. */
export type TaskLevel = 'pixel' | 'image' | 'neighbour';

/** What a task needs from the data and the model; checked before any tensor exists. */
export interface TaskRequirements {
  /** Views per sample the task needs (2 for neighbour reconstruction). Default 1. */
  readonly views?: number;
  /** Batch metadata the task reads, e.g. `boxes`. */
  readonly meta?: readonly ('boxes' | 'labels')[];
  /** Encoder layouts the task supports. Default both. */
  readonly layouts?: readonly ('grid' | 'tokens')[];
}

/** Everything a task may use to build its head. */
export interface TaskBuildContext {
  readonly backbone: Backbone;
  /** The modality the encoder reads (e.g. `sentinel2`). */
  readonly inputModality: string;
  /** Specs of every modality in the dataset. */
  readonly specs: Readonly<Record<string, ModalitySpec>>;
  /** Input image size `[H, W]`. */
  readonly inputSize: readonly [number, number];
  /** Encoder output / mask grid for that input. */
  readonly grid: readonly [number, number];
  /** Pixels per grid cell along one side (input size / grid). */
  readonly patchSize: number;
  /** Generator for initialisation. */
  readonly rng: Rng;
  /** Modules shared between tasks (a shared decoder), created once by the first task that asks. */
  readonly shared: SharedModules;
}

/** A keyed store of modules shared between tasks; their parameters belong to the model once. */
export interface SharedModules {
  getOrCreate<M extends Module>(key: string, create: () => M): M;
}

/** The per-step context a task's loss receives. */
export interface TaskStepContext {
  readonly batch: Batch;
  /** The modality the encoder reads (its tensor, sanitised, is {@link TaskStepContext.input}). */
  readonly inputModality: string;
  /** The encoder's output for the batch's input modality. */
  readonly encoded: EncoderOutput;
  /** The mask the encoder ran with. */
  readonly mask: MaskSample;
  /** The (cropped) input image, NHWC, as the encoder saw it before masking. */
  readonly input: tf.Tensor4D;
  /** Whether the model is training. */
  readonly training: boolean;
  /**
   * Per-step memo for work shared between tasks (e.g. the shared decoder's output): the first
   * task computes it, the others reuse it. Cleared every step.
   */
  memo<T>(key: string, compute: () => T): T;
}

/** What a task's loss returns: a scalar plus named scalars to log. */
export interface TaskLoss {
  readonly loss: tf.Scalar;
  readonly logs?: Readonly<Record<string, tf.Scalar>>;
}

/**
 * A pretext task: a plugin that declares what it reads and predicts, builds its head (which owns
 * its parameters), and computes a scalar loss from the encoder's output and the batch.
 */
export interface PretextTaskDefinition<Name extends string = string, Config = unknown, Head extends Module = Module> {
  readonly name: Name;
  readonly level: TaskLevel;
  readonly description: string;
  /** Defaults of every config field. */
  readonly defaults: Config;
  /** Modalities the task reads (its input or conditioning). */
  consumes(config: Config, ctx: { inputModality: string }): readonly string[];
  /** Modalities the task predicts (its targets). */
  predicts(config: Config, ctx: { inputModality: string }): readonly string[];
  /** Data and model requirements. */
  requires?(config: Config): TaskRequirements;
  /** Extra checks against the dataset specs; return human-readable problems (each says what to change). */
  validate?(config: Config, ctx: { specs: Readonly<Record<string, ModalitySpec>>; inputModality: string; layout: 'grid' | 'tokens' }): readonly string[];
  /** Create the task's head (its own parameters) and any shared modules it needs. */
  build(config: Config, ctx: TaskBuildContext): Head;
  /** The task's loss for one batch. Pure, synchronous, never reads tensors back. */
  loss(head: Head, step: TaskStepContext, config: Config): TaskLoss;
  /**
   * Optional dense prediction of the task's target, for pictures and inspection: pixel continuous
   * `[N, H, W, C]` in the target's units (per-patch normalisation undone with the target's own
   * statistics, as MAE's visualisation does), pixel categorical `[N, H, W]` class indices, image
   * level `[N, C]` values or `[N]` class indices. Pure, synchronous, no readbacks.
   */
  predict?(head: Head, step: TaskStepContext, config: Config): tf.Tensor;
  /** Optional evaluation metrics (scalars). */
  metrics?(head: Head, step: TaskStepContext, config: Config): Readonly<Record<string, tf.Scalar>>;
}

/**
 * The map of registered task names to their config types. Plugins extend it by declaration
 * merging, which makes `createPretextTask('my-task', {...})` type-checked:
 *
 * ```ts
 * declare module '@terramae/pretext' {
 *   interface PretextTaskMap { 'ndvi-regression': NdviConfig }
 * }
 * ```
 */
export interface PretextTaskMap {
  'pixel-reconstruction': PixelReconstructionConfig;
  'pixel-classification': PixelClassificationConfig;
  'image-classification': ImageClassificationConfig;
  'image-regression': ImageRegressionConfig;
  'mae-reconstruction': MaeReconstructionConfig;
  'neighbor-reconstruction': NeighborReconstructionConfig;
}

/** A task definition with a concrete config: one entry of a recipe's task list. */
export interface PretextTaskInstance<Config = unknown> {
  readonly definition: PretextTaskDefinition<string, Config, Module>;
  readonly config: Config;
  /** Display name, unique in a recipe (default: the definition's name, plus the target modality where needed). */
  readonly id: string;
}

import * as tf from '@tensorflow/tfjs';
import type { Backbone } from '@terramae/backbones';
import type { MaskSample, MaskingStrategy } from '@terramae/masking';
import { Module, normalizeBoxesToUnion, type Batch, type EncoderOutput, type ModalitySpec, type Rng } from '@terramae/tensors';
import type { LossAggregatorDefinition } from '../api/aggregator';
import { getLossAggregator } from '../api/registry';
import type { PretextTaskInstance, TaskBuildContext, TaskStepContext } from '../api/task';
import { assertTasksValid } from '../validate/validate-tasks';
import { PretrainingInputError } from './errors';
import { ModuleDict } from './module-dict';
import { SharedModuleStore } from './shared-modules';
import { StepMemo } from './step-memo';

/** Side of the square each sample's union of view boxes is mapped to (NeighborMAE: 32). */
export const PAIR_FRAME_SCALE = 32;

/** Options of {@link buildPretrainingModel}. */
export interface PretrainingModelOptions {
  /** The encoder (owned by the model from now on: `model.dispose()` disposes it). */
  readonly backbone: Backbone;
  readonly masking: MaskingStrategy;
  /** Task instances in loss order. */
  readonly tasks: readonly PretextTaskInstance[];
  /** Loss aggregator by registry name with its config (merged over its defaults). Default `{ name: 'sum' }`. */
  readonly aggregator?: { readonly name: string; readonly config?: unknown };
  /** The modality the encoder reads (e.g. `sentinel2`). */
  readonly inputModality: string;
  /** Specs of every modality of the dataset (validation and heads). */
  readonly specs: Readonly<Record<string, ModalitySpec>>;
  /** Input size `[H, W]` the encoder sees (after cropping). */
  readonly inputSize: readonly [number, number];
  /** Views per sample (2 for neighbour pairs). Default 1. */
  readonly views?: number;
  /** Whether batches carry footprint boxes. Default: `views > 1`. */
  readonly hasBoxes?: boolean;
  /** Generator of every initial weight of the decoders, heads and aggregator. */
  readonly rng: Rng;
}

/** What {@link PretrainingModel.computeLoss} returns (all scalars belong to the caller's scope). */
export interface PretrainingLoss {
  /** The aggregated loss to differentiate. */
  readonly total: tf.Scalar;
  /** Each task's unweighted loss by task id. */
  readonly perTask: Readonly<Record<string, tf.Scalar>>;
  /** Named scalars to log (`<taskId>/<name>` from tasks, `aggregator/<name>` from the aggregator). */
  readonly logs: Readonly<Record<string, tf.Scalar>>;
}

/** Per-call options of {@link PretrainingModel.computeLoss}. */
export interface ComputeLossOptions {
  /**
   * `tf.keep` the `perTask` and `logs` scalars so they survive an enclosing scope that keeps only
   * the returned total (e.g. inside `tf.variableGrads`); the caller then disposes them. Default false.
   */
  readonly keepLogs?: boolean;
}

/**
 * The composite pretraining model: a backbone, a masking strategy, pretext tasks with their heads
 * and shared modules, and a loss aggregator, as one {@link Module} whose parameters are named
 * `backbone.*`, `shared.<key>.*` (shared decoders), `heads.<taskId>.*` and `aggregator.*`.
 *
 * One step: `const mask = model.sampleMask(batch, rng)` (host-side, outside the tape), then
 * inside the trainer's gradient tape `model.computeLoss(batch, mask).total`. The encoder runs once
 * per step with the strategy's output (grid backbones get `mask`; token backbones `idsKeep`,
 * `keyMask`, `views`, `boxes`); a per-step memo lets tasks share decoder work.
 */
export class PretrainingModel extends Module {
  readonly backbone: Backbone;
  readonly masking: MaskingStrategy;
  readonly tasks: readonly PretextTaskInstance[];
  readonly inputModality: string;
  readonly inputSize: readonly [number, number];
  /** The encoder's output grid for the input size (the mask grid). */
  readonly grid: readonly [number, number];
  /** Input pixels per grid cell. */
  readonly patchSize: number;
  readonly views: number;
  /** Modules shared between tasks (`shared.*`). */
  readonly shared: SharedModuleStore;
  /** Task heads by task id (`heads.*`). */
  readonly heads: ModuleDict;
  /** The aggregator's parameters (`aggregator.*`). */
  readonly aggregatorState: Module;
  private readonly aggregatorDef: LossAggregatorDefinition<string, unknown, Module>;
  private readonly aggregatorConfig: unknown;

  /** Use {@link buildPretrainingModel}, which validates first. */
  constructor(options: PretrainingModelOptions) {
    super();
    const { backbone, inputSize } = options;
    this.backbone = this.module('backbone', backbone);
    this.masking = options.masking;
    this.tasks = [...options.tasks];
    this.inputModality = options.inputModality;
    this.inputSize = [inputSize[0], inputSize[1]];
    this.grid = backbone.outputGrid(inputSize[0], inputSize[1]);
    this.patchSize = inputSize[0] / this.grid[0];
    this.views = options.views ?? 1;
    this.shared = this.module('shared', new SharedModuleStore());
    this.heads = this.module('heads', new ModuleDict());
    const ctx: TaskBuildContext = {
      backbone,
      inputModality: options.inputModality,
      specs: options.specs,
      inputSize: this.inputSize,
      grid: this.grid,
      patchSize: this.patchSize,
      rng: options.rng,
      shared: this.shared,
    };
    for (const task of this.tasks) this.heads.set(task.id, task.definition.build(task.config, ctx));
    const agg = options.aggregator ?? { name: 'sum' };
    this.aggregatorDef = getLossAggregator(agg.name);
    this.aggregatorConfig = mergeConfig(this.aggregatorDef.defaults, agg.config);
    this.aggregatorState = this.module(
      'aggregator',
      this.aggregatorDef.build(this.aggregatorConfig, this.tasks.map((t) => t.id)),
    );
  }

  /** Ids of the tasks in loss order. */
  get taskIds(): string[] {
    return this.tasks.map((t) => t.id);
  }

  /**
   * Sample the step's mask for a batch (host-side draws from `rng`; the footprint boxes come from
   * `batch.boxValues`). Dispose it with `disposeMask` after the step.
   */
  sampleMask(batch: Batch, rng: Rng, options: { noise?: Float32Array } = {}): MaskSample {
    const views = batch.views ?? 1;
    if (views !== this.views) throw new PretrainingInputError(`the batch has ${views} views per sample but the model was built for ${this.views}; build it with views: ${views}`);
    return this.masking.sample({
      count: batch.size * views,
      grid: this.grid,
      views,
      rng,
      ...(batch.boxValues ? { boxes: batch.boxValues } : {}),
      ...(options.noise ? { noise: options.noise } : {}),
    });
  }

  /** The encoder input: the batch's input modality, checked, with non-finite values replaced by 0. */
  inputOf(batch: Batch): tf.Tensor4D {
    const x = batch.modalities[this.inputModality];
    if (!x) throw new PretrainingInputError(`the batch has no '${this.inputModality}' (it has ${Object.keys(batch.modalities).join(', ')}); the model's inputModality must be in the batch`);
    const [hh, ww] = this.inputSize;
    const n = batch.size * this.views;
    if (x.rank !== 4 || x.shape[0] !== n || x.shape[1] !== hh || x.shape[2] !== ww || x.shape[3] !== this.backbone.inChannels) {
      throw new PretrainingInputError(
        `'${this.inputModality}' is [${x.shape.join(', ')}], the model expects [${n}, ${hh}, ${ww}, ${this.backbone.inChannels}] (batch ${batch.size} × ${this.views} views, crop ${hh}×${ww}); crop the batch to the model's input size`,
      );
    }
    // MMEarth's encoder input is captured before nan_to_num; sanitising here keeps NaN out of the encoder.
    return tf.tidy(() => {
      const xf = x.toFloat();
      return tf.where(tf.isFinite(xf), xf, tf.zerosLike(xf)) as tf.Tensor4D;
    });
  }

  /** Run the encoder once on a batch with a mask (the input sanitised as in {@link inputOf}). */
  encode(input: tf.Tensor4D, batch: Batch, mask: MaskSample): EncoderOutput {
    const n = batch.size * this.views;
    if (mask.mask.shape[0] !== n || mask.grid[0] !== this.grid[0] || mask.grid[1] !== this.grid[1]) {
      throw new PretrainingInputError(`the mask is for ${mask.mask.shape[0]} images on a ${mask.grid[0]}×${mask.grid[1]} grid, the batch has ${n} images on ${this.grid[0]}×${this.grid[1]}; sample it with model.sampleMask(batch, rng)`);
    }
    if (this.backbone.layout === 'grid') return this.backbone.forward(input, { mask: mask.mask });
    return this.backbone.forward(input, {
      idsKeep: mask.idsKeep,
      ...(mask.keyMask ? { keyMask: mask.keyMask } : {}),
      ...(this.views > 1 ? { views: this.views } : {}),
      // Box embeddings live in the pair's own frame (NeighborMAE's trainer normalises every
      // pair's union to [0, 32]²); the neighbour task's decoder and warps use the same frame.
      ...(batch.boxes ? { boxes: normalizeBoxesToUnion(batch.boxes, PAIR_FRAME_SCALE) } : {}),
    });
  }

  /** Encode the batch once and build the context every task of this step receives. */
  private stepContext(batch: Batch, mask: MaskSample, memo: StepMemo): TaskStepContext {
    const input = this.inputOf(batch);
    return {
      batch,
      inputModality: this.inputModality,
      encoded: this.encode(input, batch, mask),
      mask,
      input,
      training: this.training,
      memo: (key, compute) => memo.get(key, compute),
    };
  }

  /**
   * Every task's loss and the aggregated total for one batch and mask. Synchronous and pure (no
   * readbacks); call it inside the trainer's gradient tape. Intermediates are freed; the returned
   * scalars belong to the caller (see {@link ComputeLossOptions.keepLogs}).
   */
  computeLoss(batch: Batch, mask: MaskSample, options: ComputeLossOptions = {}): PretrainingLoss {
    const memo = new StepMemo();
    let result: PretrainingLoss;
    try {
      result = tf.tidy(() => {
        const step = this.stepContext(batch, mask, memo);
        const perTask: Record<string, tf.Scalar> = {};
        const logs: Record<string, tf.Scalar> = {};
        const losses: tf.Scalar[] = [];
        for (const task of this.tasks) {
          const head = this.heads.get(task.id) as Module;
          const out = task.definition.loss(head, step, task.config);
          if (out.loss.rank !== 0) throw new PretrainingInputError(`task '${task.id}' returned a loss of shape [${out.loss.shape.join(', ')}]; a task loss must be a scalar`);
          perTask[task.id] = out.loss;
          losses.push(out.loss);
          for (const [k, v] of Object.entries(out.logs ?? {})) logs[`${task.id}/${k}`] = v;
        }
        const agg = this.aggregatorDef.aggregate(this.aggregatorState, losses, this.aggregatorConfig);
        for (const [k, v] of Object.entries(agg.logs ?? {})) logs[`aggregator/${k}`] = v;
        return { total: agg.total, perTask, logs };
      });
    } finally {
      memo.clear();
    }
    if (options.keepLogs) {
      for (const t of [...Object.values(result.perTask), ...Object.values(result.logs)]) if (t !== result.total) tf.keep(t);
    }
    return result;
  }

  /**
   * Dense predictions of every task that offers one (`predict` in its definition), by task id:
   * reconstructed images, predicted label maps, image-level values. For pictures and inspection;
   * the caller disposes the tensors.
   */
  predict(batch: Batch, mask: MaskSample): Record<string, tf.Tensor> {
    const memo = new StepMemo();
    try {
      return tf.tidy(() => {
        const step = this.stepContext(batch, mask, memo);
        const out: Record<string, tf.Tensor> = {};
        for (const task of this.tasks) {
          if (!task.definition.predict) continue;
          out[task.id] = task.definition.predict(this.heads.get(task.id) as Module, step, task.config);
        }
        return out;
      });
    } finally {
      memo.clear();
    }
  }
}

function mergeConfig(defaults: unknown, config: unknown): unknown {
  if (config === undefined) return defaults;
  if (typeof defaults === 'object' && defaults !== null && typeof config === 'object' && config !== null && !Array.isArray(config)) {
    return { ...(defaults as object), ...(config as object) };
  }
  return config;
}

/**
 * Validate a recipe's pieces against the data and the backbone (throwing a
 * `RecipeValidationError` that lists every problem) and build the composite
 * {@link PretrainingModel}: the tasks' heads and shared modules, and the aggregator's parameters.
 */
export function buildPretrainingModel(options: PretrainingModelOptions): PretrainingModel {
  const views = options.views ?? 1;
  assertTasksValid({
    tasks: options.tasks,
    specs: options.specs,
    inputModality: options.inputModality,
    backbone: options.backbone,
    inputSize: options.inputSize,
    views,
    hasBoxes: options.hasBoxes ?? views > 1,
    masking: options.masking,
    aggregator: options.aggregator?.name ?? 'sum',
  });
  return new PretrainingModel(options);
}

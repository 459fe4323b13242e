import * as tf from '@tensorflow/tfjs';
import { disposeMask } from '@terramae/masking';
import { disposeBatch, leanVariableGrads, TerramaeError, type Batch, type Rng } from '@terramae/tensors';
import { latestCheckpoint, loadCheckpoint, saveCheckpoint } from '../checkpoint/checkpoint';
import { embeddingHealth } from '../logging/embedding-health';
import { JsonlWriter, type StepRecord } from '../logging/metrics-log';
import type { AdamW } from '../optim/adamw';
import { clipGradNorm } from '../optim/clip-grad-norm';
import type { LrSchedule } from '../optim/lr-schedule';
import type { BatchStream, TrainableModel } from './types';

/** The run stopped because a loss was NaN or infinite. */
export class NonFiniteLossError extends TerramaeError {
  constructor(
    message: string,
    readonly step: number,
    readonly tasks: readonly string[],
  ) {
    super(message);
  }
}

/** Options of {@link pretrain}. */
export interface PretrainOptions {
  readonly model: TrainableModel;
  readonly data: BatchStream;
  readonly optimizer: AdamW;
  readonly schedule: LrSchedule;
  /** Optimiser steps to run in total (a resumed run continues up to this step). */
  readonly totalSteps: number;
  /** Generator for masks; its state is checkpointed. */
  readonly rng: Rng;
  /** Micro-batches whose gradients are averaged before one optimiser step. Default 1. */
  readonly accumulate?: number;
  /** Clip the global gradient norm to this value (torch `clip_grad_norm_`). Default: no clipping. */
  readonly clipGradNorm?: number;
  /** Checkpointing: folder, how often (steps), how many to keep; a checkpoint is also written at the end and on abort. */
  readonly checkpoint?: { readonly dir: string; readonly every?: number; readonly keepLast?: number };
  /** Resume from a checkpoint folder, or `latest` in `checkpoint.dir`. */
  readonly resume?: string | 'latest';
  /** Serialisable recipe stored in each checkpoint. */
  readonly recipe?: unknown;
  /** Log every N steps (default 1): JSONL file and/or callback. */
  readonly log?: { readonly every?: number; readonly jsonl?: string; readonly onLog?: (record: StepRecord) => void };
  /** Compute embedding-health metrics every N steps (needs `model.embed`). Default 0 (off). */
  readonly healthEvery?: number;
  /** Called after each step with the step number (pictures, custom evaluation). */
  readonly onStep?: (step: number, batch: Batch) => void | Promise<void>;
  /** Stop cleanly (checkpoint, then return) when aborted, e.g. on SIGINT. */
  readonly signal?: AbortSignal;
}

/** What {@link pretrain} returns. */
export interface PretrainResult {
  readonly steps: number;
  readonly lastLoss: number;
  readonly lastTasks: Readonly<Record<string, number>>;
  readonly history: readonly StepRecord[];
  readonly checkpoint?: string;
  readonly stoppedEarly: boolean;
}

/**
 * The pretraining loop. One optimiser step computes the gradients of the aggregated loss over
 * every trainable variable of the model (backbone, decoders, heads, aggregator) and applies AdamW,
 * all inside one `tf.tidy`; per-task losses are kept and read asynchronously after the step.
 *
 * A non-finite loss stops the run with a {@link NonFiniteLossError} naming the step and the tasks,
 * and no checkpoint is written after it, so the last good checkpoint stays the newest.
 */
export async function pretrain(options: PretrainOptions): Promise<PretrainResult> {
  const { model, data, optimizer, schedule, rng } = options;
  const accumulate = options.accumulate ?? 1;
  const logEvery = options.log?.every ?? 1;
  const jsonl = options.log?.jsonl ? new JsonlWriter(options.log.jsonl) : undefined;
  const params = model.namedParameters().filter((p) => p.trainable);
  const byVariableName = new Map(params.map((p) => [p.variable.name, p.name]));
  const variables = params.map((p) => p.variable);

  let step = 0;
  let lastCheckpoint: string | undefined;
  if (options.resume) {
    const path = options.resume === 'latest' ? (options.checkpoint ? latestCheckpoint(options.checkpoint.dir) : undefined) : options.resume;
    if (path) {
      const ckpt = loadCheckpoint(path);
      try {
        model.loadTorchStateDict(ckpt.weights);
        optimizer.setState(ckpt.optimizer);
      } finally {
        for (const t of [...Object.values(ckpt.weights), ...Object.values(ckpt.optimizer)]) t.dispose();
      }
      rng.setState(ckpt.meta.rng);
      data.restore(ckpt.meta.data);
      step = ckpt.meta.step;
      lastCheckpoint = path;
    } else if (options.resume !== 'latest') {
      throw new TerramaeError(`Cannot resume: ${options.resume} does not exist.`);
    }
  }

  const history: StepRecord[] = [];
  let lastTasks: Record<string, number> = {};
  let lastLoss = Number.NaN;
  let windowStart = performance.now();
  let windowImages = 0;
  let savedStep = lastCheckpoint ? step : -1;
  const save = () => {
    if (!options.checkpoint || savedStep === step) return lastCheckpoint;
    savedStep = step;
    const weights = model.torchStateDict();
    const optState = optimizer.getState();
    try {
      lastCheckpoint = saveCheckpoint(
        options.checkpoint.dir,
        weights,
        optState,
        { step, rng: rng.getState(), data: data.state(), recipe: options.recipe, lastLosses: lastTasks },
        options.checkpoint.keepLast ?? 3,
      );
    } finally {
      // getState() returns copies: release them with the weights
      for (const t of [...Object.values(weights), ...Object.values(optState)]) t.dispose();
    }
    return lastCheckpoint;
  };

  while (step < options.totalSteps) {
    if (options.signal?.aborted) {
      save();
      return { steps: step, lastLoss, lastTasks, history, ...(lastCheckpoint ? { checkpoint: lastCheckpoint } : {}), stoppedEarly: true };
    }
    const lr = schedule(step);
    optimizer.setLearningRate(lr);
    let kept: { total: tf.Scalar; perTask: Record<string, tf.Scalar>; extra: Record<string, tf.Scalar> } | undefined;
    let images = 0;
    let accumulated: Map<string, tf.Tensor> | undefined;
    let lastBatch: Batch | undefined;
    for (let micro = 0; micro < accumulate; micro++) {
      const batch = await data.next();
      const mask = model.sampleMask(batch, rng);
      images += batch.size * batch.views;
      const result = tf.tidy(() => {
        let perTask: Record<string, tf.Scalar> = {};
        let extra: Record<string, tf.Scalar> = {};
        const { value, grads } = leanVariableGrads(() => {
          const out = model.computeLoss(batch, mask);
          perTask = Object.fromEntries(Object.entries(out.perTask).map(([k, v]) => [k, tf.keep(v)]));
          extra = Object.fromEntries(Object.entries(out.logs ?? {}).map(([k, v]) => [k, tf.keep(v)]));
          return out.total;
        }, variables);
        // A plain object (not a Map): tf.tidy keeps only tensors it can find in arrays and objects.
        const named: Record<string, tf.Tensor> = {};
        for (const [varName, g] of Object.entries(grads)) {
          const name = byVariableName.get(varName);
          if (name) named[name] = accumulate > 1 ? g.div(accumulate) : g;
        }
        return { total: value, perTask, extra, grads: named };
      });
      const microGrads = new Map(Object.entries(result.grads));
      disposeMask(mask);
      if (micro === accumulate - 1) lastBatch = batch;
      else disposeBatch(batch);
      if (accumulated) {
        const sum = new Map<string, tf.Tensor>();
        for (const [k, g] of microGrads) {
          const prev = accumulated.get(k);
          sum.set(k, prev ? tf.tidy(() => prev.add(g)) : g.clone());
        }
        for (const t of [...accumulated.values(), ...microGrads.values()]) t.dispose();
        accumulated = sum;
      } else {
        accumulated = microGrads;
      }
      if (kept) for (const t of [kept.total, ...Object.values(kept.perTask), ...Object.values(kept.extra)]) t.dispose();
      kept = { total: result.total, perTask: result.perTask, extra: result.extra };
    }
    const grads = accumulated as Map<string, tf.Tensor>;
    tf.tidy(() => {
      const finalGrads = options.clipGradNorm ? clipGradNorm(grads, options.clipGradNorm).grads : grads;
      optimizer.applyGradients(finalGrads);
    });
    for (const g of grads.values()) g.dispose();
    step++;
    windowImages += images;

    // Read the kept scalars asynchronously, after the step.
    const k = kept as NonNullable<typeof kept>;
    const names = Object.keys(k.perTask);
    const extraNames = Object.keys(k.extra);
    const values = await Promise.all([k.total, ...names.map((n) => k.perTask[n] as tf.Scalar), ...extraNames.map((n) => k.extra[n] as tf.Scalar)].map((t) => t.data()));
    for (const t of [k.total, ...Object.values(k.perTask), ...Object.values(k.extra)]) t.dispose();
    lastLoss = values[0]?.[0] as number;
    lastTasks = Object.fromEntries(names.map((n, i) => [n, values[i + 1]?.[0] as number]));
    const extras: Record<string, number> = Object.fromEntries(extraNames.map((n, i) => [n, values[1 + names.length + i]?.[0] as number]));
    if (!Number.isFinite(lastLoss)) {
      if (lastBatch) disposeBatch(lastBatch);
      const bad = names.filter((n) => !Number.isFinite(lastTasks[n] as number));
      throw new NonFiniteLossError(
        `Non-finite loss at step ${step}: total ${lastLoss}${bad.length ? `; non-finite task losses: ${bad.join(', ')}` : ''}. ` +
          `The run stopped without saving${lastCheckpoint ? `; the last good checkpoint is ${lastCheckpoint}` : ''}. ` +
          'Check the inputs of those tasks for NaN/inf (see the data-formats guide) or lower the learning rate.',
        step,
        bad,
      );
    }
    if (options.healthEvery && step % options.healthEvery === 0 && model.embed && lastBatch) {
      const health = tf.tidy(() => embeddingHealth((model.embed as NonNullable<typeof model.embed>)(lastBatch as NonNullable<typeof lastBatch>)));
      const [std, cos] = await Promise.all([health.featureStd.data(), health.meanCosine.data()]);
      health.featureStd.dispose();
      health.meanCosine.dispose();
      extras.feature_std = std[0] as number;
      extras.mean_cosine = cos[0] as number;
    }
    if (options.onStep && lastBatch) await options.onStep(step, lastBatch);
    if (lastBatch) disposeBatch(lastBatch);

    if (step % logEvery === 0 || step === options.totalSteps) {
      const seconds = (performance.now() - windowStart) / 1000;
      const record: StepRecord = {
        step,
        epoch: data.batchesPerEpoch ? (step * accumulate) / data.batchesPerEpoch : 0,
        lr,
        loss: lastLoss,
        tasks: lastTasks,
        ...(Object.keys(extras).length ? { extra: extras } : {}),
        imagesPerSecond: windowImages / Math.max(seconds, 1e-9),
        seconds,
      };
      history.push(record);
      jsonl?.write(record);
      options.log?.onLog?.(record);
      windowStart = performance.now();
      windowImages = 0;
    }
    if (options.checkpoint?.every && step % options.checkpoint.every === 0) save();
  }
  save();
  return { steps: step, lastLoss, lastTasks, history, ...(lastCheckpoint ? { checkpoint: lastCheckpoint } : {}), stoppedEarly: false };
}

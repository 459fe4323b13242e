import type { Recipe } from '@terramae/recipes';
import type { Module } from '@terramae/tensors';
import {
  AdamW,
  buildParamGroups,
  constantSchedule,
  halfCycleCosineSchedule,
  neighborMaeSchedule,
  scaleLearningRate,
  type LrSchedule,
} from '@terramae/trainer';

/** How long a run is and how fast it learns, derived from a recipe and the data. */
export interface TrainingPlan {
  /** Optimiser steps per epoch (`floor(batchesPerEpoch / accumulate)`, at least 1). */
  readonly stepsPerEpoch: number;
  /** Optimiser steps of the whole run. */
  readonly totalSteps: number;
  /** Epochs the run covers (`totalSteps / stepsPerEpoch`). */
  readonly epochs: number;
  /** Images per optimiser step (`batch × accumulate × views`, NeighborMAE counts images). */
  readonly effectiveBatch: number;
  /** Peak learning rate `blr · effectiveBatch / 256`. */
  readonly lr: number;
}

/**
 * The run's length and learning rate. Without `schedule.maxSteps` the run lasts
 * `schedule.epochs` epochs; with it (or `--steps`), it lasts that many steps and the schedule is
 * compressed to fit: the warmup keeps its share of the run.
 */
export function planTraining(recipe: Recipe, batchesPerEpoch: number): TrainingPlan {
  const stepsPerEpoch = Math.max(1, Math.floor(batchesPerEpoch / recipe.batch.accumulate));
  const full = Math.max(1, Math.round(recipe.schedule.epochs * stepsPerEpoch));
  const totalSteps = recipe.schedule.maxSteps ?? full;
  const effectiveBatch = recipe.batch.size * recipe.batch.accumulate * (recipe.input.views ?? 1);
  return { stepsPerEpoch, totalSteps, epochs: totalSteps / stepsPerEpoch, effectiveBatch, lr: scaleLearningRate(recipe.optimizer.blr, effectiveBatch) };
}

/**
 * The learning-rate schedule of a recipe over a plan: MAE/MMEarth's per-iteration half-cycle
 * cosine with linear warmup, NeighborMAE's LambdaLR warmup + cosine, or a constant.
 */
export function scheduleFor(recipe: Recipe, plan: TrainingPlan): LrSchedule {
  const s = recipe.schedule;
  const warmupShare = s.epochs > 0 ? s.warmupEpochs / s.epochs : 0;
  switch (s.kind) {
    case 'constant':
      return constantSchedule(plan.lr);
    case 'neighbormae':
      return neighborMaeSchedule({ lr: plan.lr, minLr: s.minLr, totalIters: plan.totalSteps, warmupRatio: warmupShare });
    case 'half-cycle-cosine': {
      // in steps: warmup and total keep the recipe's proportions over the planned run
      const epochs = plan.totalSteps;
      const warmupEpochs = Math.min(warmupShare * plan.totalSteps, epochs * 0.999);
      return halfCycleCosineSchedule({ lr: plan.lr, minLr: s.minLr, warmupEpochs, epochs, itersPerEpoch: 1 });
    }
  }
}

/**
 * AdamW over every trainable parameter of a model, in the recipe's decay / no-decay groups
 * (`optimizer.noDecay`), with its betas and weight decay.
 */
export function optimizerFor(recipe: Recipe, model: Module, lr: number): AdamW {
  const groups = buildParamGroups(model.trainableVariables(), { weightDecay: recipe.optimizer.weightDecay, noDecay: recipe.optimizer.noDecay });
  return new AdamW(groups, { lr, betas: recipe.optimizer.betas, weightDecay: recipe.optimizer.weightDecay });
}

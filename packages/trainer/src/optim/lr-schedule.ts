import { OptimizerError } from './errors';

/** A learning rate as a pure function of the (0-based) optimisation iteration. */
export type LrSchedule = (iteration: number) => number;

/** Settings of the MAE / MMEarth half-cycle cosine schedule (in epochs, fractional allowed). */
export interface HalfCycleCosineArgs {
  /** Peak learning rate (after warmup). */
  readonly lr: number;
  /** Final learning rate. MAE/MMEarth pretraining: 0; fine-tuning: 1e-6. */
  readonly minLr: number;
  /** Linear warmup length in epochs (0 for none). */
  readonly warmupEpochs: number;
  /** Total epochs (> warmupEpochs). */
  readonly epochs: number;
}

function finite(where: string, what: string, x: number, min = -Infinity): void {
  if (!(Number.isFinite(x) && x >= min)) throw new OptimizerError(`${where}: ${what} must be a finite number >= ${min}, got ${x}`);
}

function checkCosine(args: HalfCycleCosineArgs, where: string): void {
  finite(where, 'lr', args.lr, 0);
  finite(where, 'minLr', args.minLr, 0);
  finite(where, 'warmupEpochs', args.warmupEpochs, 0);
  finite(where, 'epochs', args.epochs, 0);
  if (!(args.epochs > args.warmupEpochs)) {
    throw new OptimizerError(`${where}: epochs (${args.epochs}) must be larger than warmupEpochs (${args.warmupEpochs})`);
  }
}

/**
 * Linear warmup then half-cycle cosine, at a fractional epoch: facebookresearch/mae
 * `util/lr_sched.adjust_learning_rate` and MMEarth-train `helpers.adjust_learning_rate` (same
 * formula):
 * `epoch < w ? lr·epoch/w : minLr + (lr − minLr)·½·(1 + cos(π·(epoch − w)/(E − w)))`.
 */
export function halfCycleCosineLr(epoch: number, args: HalfCycleCosineArgs): number {
  checkCosine(args, 'halfCycleCosineLr');
  finite('halfCycleCosineLr', 'epoch', epoch);
  const { lr, minLr, warmupEpochs: w, epochs: e } = args;
  if (epoch < w) return (lr * epoch) / w;
  return minLr + (lr - minLr) * 0.5 * (1 + Math.cos((Math.PI * (epoch - w)) / (e - w)));
}

/**
 * {@link halfCycleCosineLr} updated every iteration, as the reference training loops do: the
 * fractional epoch of iteration `it` is `it / itersPerEpoch`. With gradient accumulation the
 * references evaluate it at the first micro-batch of each optimiser step (`data_iter_step /
 * len(data_loader) + epoch`); counting `iteration` and `itersPerEpoch` both in optimiser steps
 * gives the same values.
 */
export function halfCycleCosineSchedule(args: HalfCycleCosineArgs & { readonly itersPerEpoch: number }): LrSchedule {
  checkCosine(args, 'halfCycleCosineSchedule');
  if (!(Number.isFinite(args.itersPerEpoch) && args.itersPerEpoch > 0)) {
    throw new OptimizerError(`halfCycleCosineSchedule: itersPerEpoch must be > 0, got ${args.itersPerEpoch}`);
  }
  return (iteration: number) => halfCycleCosineLr(iteration / args.itersPerEpoch, args);
}

/** Settings of NeighborMAE's LambdaLR schedule (`trainer/trainer.py::Trainer.build_scheduler`). */
export interface NeighborMaeScheduleArgs {
  /** Peak learning rate (`base_lr · total_batch / 256`). Must be > 0. */
  readonly lr: number;
  /** Final learning rate. */
  readonly minLr: number;
  /** Total optimisation iterations of the run. */
  readonly totalIters: number;
  /** Warmup fraction of `totalIters` (0.05 in the README command). */
  readonly warmupRatio: number;
}

/**
 * NeighborMAE's learning rate at iteration `it` (0-based; the value in effect for that step):
 * with `W = totalIters·warmupRatio` (not rounded) and `C = max(1, totalIters − W)`,
 * `it < W ? lr·(it+1)/W : lr·(minLr/lr + ½·(1 − minLr/lr)·(1 + cos(π·(it + 1 − W)/C)))`.
 */
export function neighborMaeLr(iteration: number, args: NeighborMaeScheduleArgs): number {
  const where = 'neighborMaeLr';
  finite(where, 'iteration', iteration);
  if (!(Number.isFinite(args.lr) && args.lr > 0)) throw new OptimizerError(`${where}: lr must be > 0 (the reference divides by it), got ${args.lr}`);
  finite(where, 'minLr', args.minLr, 0);
  finite(where, 'totalIters', args.totalIters, 0);
  finite(where, 'warmupRatio', args.warmupRatio, 0);
  const warmup = args.totalIters * args.warmupRatio;
  const cosIters = Math.max(1, args.totalIters - warmup);
  if (iteration < warmup) return args.lr * ((iteration + 1) / warmup);
  const r = args.minLr / args.lr;
  return args.lr * (r + 0.5 * (1 - r) * (1 + Math.cos((Math.PI * (iteration + 1 - warmup)) / cosIters)));
}

/** {@link neighborMaeLr} as an {@link LrSchedule}. */
export function neighborMaeSchedule(args: NeighborMaeScheduleArgs): LrSchedule {
  neighborMaeLr(0, args);
  return (iteration: number) => neighborMaeLr(iteration, args);
}

/** A constant learning rate. */
export function constantSchedule(lr: number): LrSchedule {
  finite('constantSchedule', 'lr', lr, 0);
  return () => lr;
}

/**
 * The linear scaling rule of MAE, MMEarth and NeighborMAE: `lr = blr · effectiveBatch / 256`,
 * where `effectiveBatch = batch per device · accumulation steps · devices` (NeighborMAE counts
 * images, two per pair).
 */
export function scaleLearningRate(baseLr: number, effectiveBatch: number): number {
  finite('scaleLearningRate', 'baseLr', baseLr, 0);
  if (!(Number.isInteger(effectiveBatch) && effectiveBatch > 0)) {
    throw new OptimizerError(`scaleLearningRate: effectiveBatch must be a positive integer, got ${effectiveBatch}`);
  }
  return (baseLr * effectiveBatch) / 256;
}

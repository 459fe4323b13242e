import { describe, expect, it } from 'vitest';
import { recipePreset, type Recipe } from '@terramae/recipes';
import { planTraining, scheduleFor } from './plan';

describe('training plan', () => {
  it('runs the recipe\'s epochs when no step budget is set, with the reference schedule', () => {
    const r: Recipe = { ...recipePreset('mp-mae-laptop'), batch: { size: 16, accumulate: 2 } };
    const plan = planTraining(r, 41); // 20 optimiser steps per epoch
    expect(plan.stepsPerEpoch).toBe(20);
    expect(plan.totalSteps).toBe(20 * r.schedule.epochs);
    expect(plan.effectiveBatch).toBe(32);
    expect(plan.lr).toBeCloseTo((r.optimizer.blr * 32) / 256, 12);
    const lr = scheduleFor(r, plan);
    // linear warmup over warmupEpochs (2 of 20), then half-cycle cosine to minLr 0
    expect(lr(0)).toBe(0);
    expect(lr(20)).toBeCloseTo(plan.lr / 2, 12);
    expect(lr(40)).toBeCloseTo(plan.lr, 12);
    expect(lr(plan.totalSteps)).toBeCloseTo(0, 12);
  });

  it('compresses the schedule into a step budget, keeping the warmup share', () => {
    const r: Recipe = { ...recipePreset('mp-mae-laptop'), schedule: { ...recipePreset('mp-mae-laptop').schedule, maxSteps: 100 } };
    const plan = planTraining(r, 1000);
    expect(plan.totalSteps).toBe(100);
    const lr = scheduleFor(r, plan);
    expect(lr(5)).toBeCloseTo(plan.lr / 2, 12); // warmup is 10 % of the run
    expect(lr(10)).toBeCloseTo(plan.lr, 12);
    expect(lr(55)).toBeCloseTo(plan.lr / 2, 12);
  });

  it('counts images for two-view recipes and uses NeighborMAE\'s schedule', () => {
    const r = recipePreset('neighbormae-laptop');
    const plan = planTraining(r, 10);
    expect(plan.effectiveBatch).toBe(r.batch.size * r.batch.accumulate * 2);
    const lr = scheduleFor(r, plan);
    const warmup = plan.totalSteps * (r.schedule.warmupEpochs / r.schedule.epochs);
    expect(lr(0)).toBeCloseTo(plan.lr / warmup, 12);
  });
});

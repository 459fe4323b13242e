import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPath } from '@terramae/testing';
import { describe, expect, it } from 'vitest';
import { OptimizerError } from './errors';
import {
  constantSchedule,
  halfCycleCosineLr,
  halfCycleCosineSchedule,
  neighborMaeLr,
  neighborMaeSchedule,
  scaleLearningRate,
} from './lr-schedule';

describe('halfCycleCosineLr (MAE / MMEarth adjust_learning_rate)', () => {
  const args = { lr: 1e-3, minLr: 1e-6, warmupEpochs: 2, epochs: 10 };
  it('warms up linearly from 0, peaks, and ends at minLr', () => {
    expect(halfCycleCosineLr(0, args)).toBe(0);
    expect(halfCycleCosineLr(1, args)).toBeCloseTo(5e-4, 15);
    expect(halfCycleCosineLr(2, args)).toBe(1e-3);
    expect(halfCycleCosineLr(6, args)).toBeCloseTo((1e-3 + 1e-6) / 2, 15);
    expect(halfCycleCosineLr(10, args)).toBeCloseTo(1e-6, 15);
  });
  it('is evaluated per iteration at the fractional epoch iter / itersPerEpoch', () => {
    const s = halfCycleCosineSchedule({ ...args, itersPerEpoch: 4 });
    expect(s(2)).toBe(halfCycleCosineLr(0.5, args));
    expect(s(22)).toBe(halfCycleCosineLr(5.5, args));
  });
  it('rejects epochs <= warmupEpochs and bad numbers', () => {
    expect(() => halfCycleCosineLr(1, { ...args, epochs: 2 })).toThrow(OptimizerError);
    expect(() => halfCycleCosineSchedule({ ...args, itersPerEpoch: 0 })).toThrow(/itersPerEpoch/);
  });
});

describe('neighborMaeLr (NeighborMAE LambdaLR)', () => {
  const args = { lr: 1e-3, minLr: 1e-6, totalIters: 40, warmupRatio: 0.1 };
  it('warms up as (it+1)/W, reaches lr at it = W-1 and minLr at the last iteration', () => {
    expect(neighborMaeLr(0, args)).toBeCloseTo(2.5e-4, 18);
    expect(neighborMaeLr(3, args)).toBeCloseTo(1e-3, 18);
    expect(neighborMaeLr(39, args)).toBeCloseTo(1e-6, 18);
    expect(neighborMaeSchedule(args)(4)).toBe(neighborMaeLr(4, args));
  });
  it('needs lr > 0 (the reference divides by it)', () => {
    expect(() => neighborMaeSchedule({ ...args, lr: 0 })).toThrow(/lr must be > 0/);
  });
});

describe('scaling and constant schedules', () => {
  it('scales the base lr by effective batch / 256', () => {
    expect(scaleLearningRate(1.5e-4, 4096)).toBeCloseTo(2.4e-3, 15);
    expect(scaleLearningRate(1.5e-4, 2048)).toBeCloseTo(1.2e-3, 15);
    expect(() => scaleLearningRate(1e-3, 0)).toThrow(OptimizerError);
  });
  it('returns a constant', () => {
    expect(constantSchedule(3e-4)(12345)).toBe(3e-4);
  });
});

const dir = sharedPath('fixtures', 'parity');
const manifestPath = dir ? join(dir, 'manifest.json') : undefined;

describe.skipIf(!manifestPath || !existsSync(manifestPath))('schedules against the float64 reference values (fixtures manifest)', () => {
  it('reproduces every exact value of every lr_schedules case', () => {
    const manifest = JSON.parse(readFileSync(manifestPath!, 'utf8')) as { cases: Array<Record<string, unknown>> };
    const cases = manifest.cases.filter((c) => c['kind'] === 'lr_schedules');
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      const ctor = c['constructor'] as { mae_schedule_args: Record<string, number>; neighbormae: Record<string, number> };
      const exact = c['exact_values'] as { mae_lr: number[]; neighbormae_lr: number[] };
      const m = ctor.mae_schedule_args;
      const maeArgs = { lr: m['lr']!, minLr: m['min_lr']!, warmupEpochs: m['warmup_epochs']!, epochs: m['epochs']! };
      // the case samples the schedule at epochs i * epochs / (n - 1)
      exact.mae_lr.forEach((want, i) => {
        const epoch = (i * maeArgs.epochs) / (exact.mae_lr.length - 1);
        expect(Math.abs(halfCycleCosineLr(epoch, maeArgs) - want)).toBeLessThanOrEqual(1e-15);
      });
      const n = ctor.neighbormae;
      const nArgs = { lr: n['lr']!, minLr: n['min_lr']!, totalIters: n['total_iters']!, warmupRatio: n['warmup_ratio']! };
      expect(exact.neighbormae_lr.length).toBe(nArgs.totalIters);
      exact.neighbormae_lr.forEach((want, it) => {
        expect(Math.abs(neighborMaeLr(it, nArgs) - want)).toBeLessThanOrEqual(1e-15);
      });
    }
  });
});

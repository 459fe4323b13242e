import { halfCycleCosineLr, neighborMaeLr } from '@terramae/trainer';
import type { ParityContext, ParityOutputs } from '../registry';
import { caseNumber, caseValue } from './settings';

/**
 * `lr_schedules`: the MAE/MMEarth half-cycle cosine at the stored fractional epochs
 * (`constructor.mae_schedule_args`, `input/mae/epoch` → `output/mae/lr`) and NeighborMAE's
 * LambdaLR at iterations 0..n−1 (`constructor.neighbormae` → `output/neighbormae/lr`, n from the
 * reference shape), computed with `@terramae/trainer`.
 */
export function lrSchedulesHandler(ctx: ParityContext): ParityOutputs {
  const out = new Map<string, number[]>();
  if (ctx.expected.includes('output/mae/lr') && caseValue(ctx, 'constructor.mae_schedule_args') !== undefined) {
    const args = {
      lr: caseNumber(ctx, 'constructor.mae_schedule_args.lr'),
      minLr: caseNumber(ctx, 'constructor.mae_schedule_args.min_lr'),
      warmupEpochs: caseNumber(ctx, 'constructor.mae_schedule_args.warmup_epochs'),
      epochs: caseNumber(ctx, 'constructor.mae_schedule_args.epochs'),
    };
    out.set('output/mae/lr', ctx.fixture.numbers('input/mae/epoch').map((e) => halfCycleCosineLr(e, args)));
  }
  if (ctx.expected.includes('output/neighbormae/lr') && caseValue(ctx, 'constructor.neighbormae') !== undefined) {
    const args = {
      lr: caseNumber(ctx, 'constructor.neighbormae.lr'),
      minLr: caseNumber(ctx, 'constructor.neighbormae.min_lr'),
      totalIters: caseNumber(ctx, 'constructor.neighbormae.total_iters'),
      warmupRatio: caseNumber(ctx, 'constructor.neighbormae.warmup_ratio'),
    };
    const n = ctx.fixture.shape('output/neighbormae/lr')[0] ?? 0;
    out.set('output/neighbormae/lr', Array.from({ length: n }, (_, it) => neighborMaeLr(it, args)));
  }
  return out;
}

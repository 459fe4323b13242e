import type { Box } from '@terramae/tensors';
import { roundHalfEven, shuffleFromNoise } from './argsort';
import { MaskingOptionError } from './errors';
import { meanIoUs } from './iou';
import { buildMaskSample } from './mask-sample';
import { checkBoxes, checkCommon, checkFixedGrid, checkGridOption, checkKnownOptions, checkRatio, checkRequest, noiseRows } from './request';
import type { MaskRequest, MaskSample, MaskingCheckContext, MaskingStrategy } from './types';

/** Options of {@link neighborAdaptiveMasking}. */
export interface NeighborAdaptiveMaskingOptions {
  /** Ratio of a view that overlaps no other view (IoU 0). Default 0.75. */
  readonly ratioMin?: number;
  /** Ratio of a view identical to the others (IoU 1). Default 0.85 (NeighborMAE README; the code default 0.75 disables the adaptation). */
  readonly ratioMax?: number;
  /** The grid to mask on: `'encoder'` (default) or a fixed `[h, w]`. */
  readonly grid?: 'encoder' | readonly [number, number];
}

/** Per-view ratio and keep count from the views' boxes (host numbers, float32 steps as the reference). */
export function adaptiveKeep(boxes: readonly Box[], length: number, ratioMin: number, ratioMax: number): { iou: number[]; ratio: number[]; keep: number[] } {
  const f = Math.fround;
  const iou = meanIoUs(boxes);
  const span = f(ratioMax - ratioMin);
  const ratio = iou.map((v) => f(f(ratioMin) + f(v * span)));
  const keep = ratio.map((r) => roundHalfEven(f(f(1 - r) * length)));
  return { iou, ratio, keep };
}

/** The fixed encoder length of the adaptive strategy: `K = round((1 − ratioMin)·L)`. */
export function adaptiveEncoderLength(length: number, ratioMin: number): number {
  return roundHalfEven(Math.fround(Math.fround(1 - ratioMin) * length));
}

/**
 * NeighborMAE's IoU-adaptive mask ratio (specs/neighbormae.md §3a): for view `k` of a sample,
 * `r_k = ratioMin + IoU_k·(ratioMax − ratioMin)` with `IoU_k` the mean IoU of its box with the
 * sample's other views, and `keep_k = round((1 − r_k)·L)` (IoU 0 → 49, 0.5 → 39, 1 → 29 of 196).
 * The encoder always receives `K = round((1 − ratioMin)·L)` tokens per view; slots at or beyond
 * `keep_k` are flagged in `keyMask` (disabled as attention keys) and counted as hidden in `mask`.
 * Needs `request.boxes` (`[samples][views]`) and `views ≥ 2`.
 */
export function neighborAdaptiveMasking(options: NeighborAdaptiveMaskingOptions = {}): MaskingStrategy {
  const name = 'neighbor-adaptive';
  checkKnownOptions(name, options, ['ratioMin', 'ratioMax', 'grid']);
  const ratioMin = checkRatio(name, 'ratioMin', options.ratioMin ?? 0.75);
  const ratioMax = checkRatio(name, 'ratioMax', options.ratioMax ?? 0.85);
  if (ratioMax < ratioMin) throw new MaskingOptionError(name, 'ratioMax', `must be ≥ ratioMin (${ratioMin}), got ${ratioMax}`);
  const grid = checkGridOption(name, options.grid ?? 'encoder');
  return {
    name,
    options: { ratioMin, ratioMax, grid },
    grid,
    encoderLength: (g) => adaptiveEncoderLength(g[0] * g[1], ratioMin),
    check(ctx: MaskingCheckContext): string[] {
      const length = ctx.grid[0] * ctx.grid[1];
      const problems = checkCommon(grid, ctx, roundHalfEven(Math.fround(Math.fround(1 - ratioMax) * length)));
      if (ctx.views < 2) problems.push(`needs at least 2 views per sample (neighbour pairs), the data has ${ctx.views}; use a neighbour-pair dataset or the 'random' strategy`);
      if (!ctx.hasBoxes) problems.push(`needs footprint boxes (Batch.boxValues); use a dataset that yields boxes or the 'random' strategy`);
      return problems;
    },
    sample(request: MaskRequest): MaskSample {
      const { length, views, samples } = checkRequest(name, request);
      checkFixedGrid(name, grid, request.grid);
      if (views < 2) throw new MaskingOptionError(name, 'request.views', `needs at least 2 views per sample, got ${views}`);
      const boxes = checkBoxes(name, request, samples, views);
      const keep: number[] = [];
      for (let s = 0; s < samples; s++) keep.push(...adaptiveKeep(boxes[s] as readonly Box[], length, ratioMin, ratioMax).keep);
      const k = adaptiveEncoderLength(length, ratioMin);
      if (Math.min(...keep) < 1) throw new MaskingOptionError(name, 'ratioMax', `${ratioMax} leaves no visible patch of ${length}; lower it`);
      const noise = noiseRows(name, request, request.count, length);
      const { idsShuffle, idsRestore } = shuffleFromNoise(noise, request.count, length);
      return buildMaskSample(request.grid, idsShuffle, idsRestore, keep, k);
    },
  };
}

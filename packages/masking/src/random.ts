import { shuffleFromNoise } from './argsort';
import { MaskingOptionError } from './errors';
import { buildMaskSample } from './mask-sample';
import { checkCommon, checkFixedGrid, checkGridOption, checkKnownOptions, checkRatio, checkRequest, checkViewMode, noiseRows } from './request';
import type { MaskRequest, MaskSample, MaskingCheckContext, MaskingStrategy, ViewMasking } from './types';

/** Options of {@link randomMasking} (MAE's `random_masking`). */
export interface RandomMaskingOptions {
  /** Fraction of patches hidden; `keep = int(L·(1 − ratio))` as MAE. Default 0.75. */
  readonly ratio?: number;
  /** Multi-view input: one mask per view (`independent`, default) or one per sample repeated for its views (`shared`). */
  readonly views?: ViewMasking;
  /** The grid to mask on: `'encoder'` (default) or a fixed `[h, w]` that requests must match. */
  readonly grid?: 'encoder' | readonly [number, number];
}

/** MAE's keep count: `int(L·(1 − ratio))` (truncation, as Python's `int`). */
export function keepCount(length: number, ratio: number): number {
  return Math.trunc(length * (1 - ratio));
}

/**
 * Expand per-sample shuffles to every view of the sample (view-major within a sample), so the
 * views of a sample share one mask.
 */
export function repeatRowsPerView(rows: Int32Array, samples: number, views: number, length: number): Int32Array {
  const out = new Int32Array(samples * views * length);
  for (let s = 0; s < samples; s++) {
    const row = rows.subarray(s * length, (s + 1) * length);
    for (let v = 0; v < views; v++) out.set(row, (s * views + v) * length);
  }
  return out;
}

/** Shared implementation of the uniform-ratio strategies (`random`, `fcmae`). */
export function uniformRatioStrategy(name: string, options: RandomMaskingOptions, defaultRatio: number): MaskingStrategy {
  checkKnownOptions(name, options, ['ratio', 'views', 'grid']);
  const ratio = checkRatio(name, 'ratio', options.ratio ?? defaultRatio);
  const views = checkViewMode(name, options.views ?? 'independent');
  const grid = checkGridOption(name, options.grid ?? 'encoder');
  return {
    name,
    options: { ratio, views, grid },
    grid,
    encoderLength: (g) => keepCount(g[0] * g[1], ratio),
    check(ctx: MaskingCheckContext): string[] {
      return checkCommon(grid, ctx, keepCount(ctx.grid[0] * ctx.grid[1], ratio));
    },
    sample(request: MaskRequest): MaskSample {
      const { length, views: v, samples } = checkRequest(name, request);
      checkFixedGrid(name, grid, request.grid);
      const keep = keepCount(length, ratio);
      if (keep < 1) {
        throw new MaskingOptionError(name, 'ratio', `${ratio} leaves no visible patch of the ${length} on a ${request.grid[0]}×${request.grid[1]} grid; lower it below ${1 - 1 / length}`);
      }
      const shared = views === 'shared' && v > 1;
      const rows = shared ? samples : request.count;
      const noise = noiseRows(name, request, rows, length);
      let { idsShuffle, idsRestore } = shuffleFromNoise(noise, rows, length);
      if (shared) {
        idsShuffle = repeatRowsPerView(idsShuffle, samples, v, length);
        idsRestore = repeatRowsPerView(idsRestore, samples, v, length);
      }
      return buildMaskSample(request.grid, idsShuffle, idsRestore, new Array<number>(request.count).fill(keep));
    },
  };
}

/**
 * MAE's random masking: per image, noise → `idsShuffle = argsort(noise)` → the first
 * `int(L·(1 − ratio))` patches visible. Pass `request.noise` to reproduce a reference draw exactly.
 */
export function randomMasking(options: RandomMaskingOptions = {}): MaskingStrategy {
  return uniformRatioStrategy('random', options, 0.75);
}

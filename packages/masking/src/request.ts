import type { Box } from '@terramae/tensors';
import { MaskingOptionError } from './errors';
import type { MaskRequest, MaskingCheckContext } from './types';

/** Check a request's shape fields; returns `L = h·w` and the views per sample. */
export function checkRequest(strategy: string, request: MaskRequest): { length: number; views: number; samples: number } {
  const { count, grid } = request;
  if (!Number.isInteger(count) || count < 1) {
    throw new MaskingOptionError(strategy, 'request.count', `must be a positive integer (images to mask), got ${String(count)}`);
  }
  if (!Array.isArray(grid) || grid.length !== 2 || !grid.every((g) => Number.isInteger(g) && g > 0)) {
    throw new MaskingOptionError(strategy, 'request.grid', `must be [h, w] with positive integers, got ${JSON.stringify(grid)}`);
  }
  const views = request.views ?? 1;
  if (!Number.isInteger(views) || views < 1 || count % views !== 0) {
    throw new MaskingOptionError(strategy, 'request.views', `must be a positive integer dividing count ${count}, got ${String(views)}`);
  }
  if (!request.noise && !request.rng) {
    throw new MaskingOptionError(strategy, 'request.rng', 'is required when no noise is given; pass the seeded Rng');
  }
  return { length: grid[0] * grid[1], views, samples: count / views };
}

/** Check a fixed grid a strategy declares against the request's. */
export function checkFixedGrid(strategy: string, fixed: 'encoder' | readonly [number, number], grid: readonly [number, number]): void {
  if (fixed !== 'encoder' && (fixed[0] !== grid[0] || fixed[1] !== grid[1])) {
    throw new MaskingOptionError(
      strategy,
      'grid',
      `the strategy is configured for a ${fixed[0]}×${fixed[1]} grid but the request is on ${grid[0]}×${grid[1]}; set option 'grid' to 'encoder' or to [${grid[0]}, ${grid[1]}]`,
    );
  }
}

/** `rows × length` noise values: the request's (checked for length) or fresh uniform draws. */
export function noiseRows(strategy: string, request: MaskRequest, rows: number, length: number): ArrayLike<number> {
  if (request.noise) {
    if (request.noise.length !== rows * length) {
      throw new MaskingOptionError(strategy, 'request.noise', `needs ${rows}×${length} = ${rows * length} values (one row per drawn mask), got ${request.noise.length}`);
    }
    return request.noise;
  }
  return request.rng.uniformArray(rows * length);
}

/** The request's boxes checked to be `[samples][views]`. */
export function checkBoxes(strategy: string, request: MaskRequest, samples: number, views: number): readonly (readonly Box[])[] {
  const boxes = request.boxes;
  if (!boxes) {
    throw new MaskingOptionError(strategy, 'request.boxes', 'footprint boxes are required (the batch has no boxValues); use a dataset that yields neighbour pairs with boxes, or another masking strategy');
  }
  if (boxes.length !== samples || boxes.some((b) => b.length !== views)) {
    throw new MaskingOptionError(strategy, 'request.boxes', `must be [${samples} samples][${views} views] of [left, top, right, bottom], got ${boxes.length} samples with ${boxes.map((b) => b.length).join('/')} views`);
  }
  for (let s = 0; s < samples; s++) {
    for (let v = 0; v < views; v++) {
      const b = (boxes[s] as readonly Box[])[v] as Box;
      if (b.length !== 4 || !b.every(Number.isFinite) || !(b[2] > b[0]) || !(b[1] > b[3])) {
        throw new MaskingOptionError(strategy, 'request.boxes', `sample ${s} view ${v}: box ${JSON.stringify(b)} must be finite [left, top, right, bottom] with right > left and top > bottom (y up)`);
      }
    }
  }
  return boxes;
}

/** A ratio option in `[low, high)`. */
export function checkRatio(strategy: string, option: string, value: unknown, low = 0, high = 1): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < low || value >= high) {
    throw new MaskingOptionError(strategy, option, `must be a number in [${low}, ${high}), got ${String(value)}`);
  }
  return value;
}

/** The `views` option (`independent` or `shared`). */
export function checkViewMode(strategy: string, value: unknown): 'independent' | 'shared' {
  if (value !== 'independent' && value !== 'shared') {
    throw new MaskingOptionError(strategy, 'views', `must be 'independent' or 'shared', got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A `grid` option: `'encoder'` or `[h, w]`. */
export function checkGridOption(strategy: string, value: unknown): 'encoder' | readonly [number, number] {
  if (value === 'encoder') return value;
  if (Array.isArray(value) && value.length === 2 && value.every((g) => Number.isInteger(g) && g > 0)) return [value[0], value[1]] as const;
  throw new MaskingOptionError(strategy, 'grid', `must be 'encoder' or [h, w] with positive integers, got ${JSON.stringify(value)}`);
}

/** Reject option keys a strategy does not know (catches typos such as `mask_ratio`). */
export function checkKnownOptions(strategy: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new MaskingOptionError(strategy, key, `unknown option; known options are ${known.join(', ')}`);
    }
  }
}

/** Common pre-tensor checks: fixed grid fits, keep count at least 1. */
export function checkCommon(fixed: 'encoder' | readonly [number, number], ctx: MaskingCheckContext, keep: number): string[] {
  const problems: string[] = [];
  if (fixed !== 'encoder' && (fixed[0] !== ctx.grid[0] || fixed[1] !== ctx.grid[1])) {
    problems.push(`the mask grid option is ${fixed[0]}×${fixed[1]} but the backbone produces ${ctx.grid[0]}×${ctx.grid[1]} for this input size; set grid to 'encoder'`);
  }
  if (keep < 1) problems.push(`the mask ratio leaves no visible patch on a ${ctx.grid[0]}×${ctx.grid[1]} grid; lower the ratio`);
  return problems;
}

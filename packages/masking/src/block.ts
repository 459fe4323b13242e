import type { Rng } from '@terramae/tensors';
import { inversePermutation } from './argsort';
import { MaskingOptionError } from './errors';
import { buildMaskSample } from './mask-sample';
import { keepCount, repeatRowsPerView } from './random';
import { checkCommon, checkFixedGrid, checkGridOption, checkKnownOptions, checkRatio, checkRequest, checkViewMode } from './request';
import type { MaskRequest, MaskSample, MaskingCheckContext, MaskingStrategy, ViewMasking } from './types';

/** Options of {@link blockMasking}. */
export interface BlockMaskingOptions {
  /** Fraction of patches hidden; the keep count is `int(L·(1 − ratio))` as random masking, so encoder lengths match. Default 0.4. */
  readonly ratio?: number;
  /** Smallest block, in patches. Default 4. */
  readonly minBlock?: number;
  /** Largest block, in patches (default: the whole masked budget). */
  readonly maxBlock?: number;
  /** Smallest aspect ratio of a block (the largest is its inverse). Default 0.3. */
  readonly minAspect?: number;
  /** Multi-view input: one mask per view (`independent`, default) or one per sample (`shared`). */
  readonly views?: ViewMasking;
  /** The grid to mask on: `'encoder'` (default) or a fixed `[h, w]`. */
  readonly grid?: 'encoder' | readonly [number, number];
}

/**
 * Draw one block mask (1 = hidden) of exactly `numMask` cells on an `h × w` grid: rectangles of
 * random area in `[minBlock, maxBlock]` and log-uniform aspect ratio are placed (each adding at
 * most the remaining budget, as BEiT's block-wise masking) until the budget is met or ten tries
 * fail; any remainder is filled with random single cells so the count is exact.
 */
export function drawBlockMask(h: number, w: number, numMask: number, rng: Rng, minBlock: number, maxBlock: number, minAspect: number): Uint8Array {
  const mask = new Uint8Array(h * w);
  let count = 0;
  const logLo = Math.log(minAspect);
  const logHi = Math.log(1 / minAspect);
  while (count < numMask) {
    const budget = Math.min(numMask - count, maxBlock);
    if (budget < minBlock) break;
    let added = 0;
    for (let attempt = 0; attempt < 10 && added === 0; attempt++) {
      const area = rng.uniformRange(minBlock, budget);
      const aspect = Math.exp(rng.uniformRange(logLo, logHi));
      const bh = Math.round(Math.sqrt(area * aspect));
      const bw = Math.round(Math.sqrt(area / aspect));
      if (bh < 1 || bw < 1 || bh > h || bw > w) continue;
      const top = rng.int(h - bh + 1);
      const left = rng.int(w - bw + 1);
      let fresh = 0;
      for (let i = top; i < top + bh; i++) for (let j = left; j < left + bw; j++) fresh += mask[i * w + j] ? 0 : 1;
      if (fresh === 0 || fresh > budget) continue;
      for (let i = top; i < top + bh; i++) for (let j = left; j < left + bw; j++) mask[i * w + j] = 1;
      added = fresh;
    }
    if (added === 0) break;
    count += added;
  }
  if (count < numMask) {
    const free = rng.shuffle(Array.from(mask.keys()).filter((i) => !mask[i]));
    for (const i of free.slice(0, numMask - count)) mask[i] = 1;
  }
  return mask;
}

/**
 * Block-wise masking: hidden patches form random rectangles (BEiT-style), with exactly the keep
 * count of random masking at the same ratio. The shuffle order lists the visible patches first
 * (in random order), then the hidden ones, so `idsKeep`/`idsRestore` work as for random masking.
 * Draws from `request.rng`; recorded noise is not accepted.
 */
export function blockMasking(options: BlockMaskingOptions = {}): MaskingStrategy {
  const name = 'block';
  checkKnownOptions(name, options, ['ratio', 'minBlock', 'maxBlock', 'minAspect', 'views', 'grid']);
  const ratio = checkRatio(name, 'ratio', options.ratio ?? 0.4);
  const minBlock = options.minBlock ?? 4;
  if (!Number.isInteger(minBlock) || minBlock < 1) throw new MaskingOptionError(name, 'minBlock', `must be a positive integer, got ${String(minBlock)}`);
  const maxBlock = options.maxBlock ?? Number.POSITIVE_INFINITY;
  if (!(maxBlock >= minBlock)) throw new MaskingOptionError(name, 'maxBlock', `must be ≥ minBlock (${minBlock}), got ${String(maxBlock)}`);
  const minAspect = options.minAspect ?? 0.3;
  if (!(minAspect > 0 && minAspect <= 1)) throw new MaskingOptionError(name, 'minAspect', `must be in (0, 1], got ${String(minAspect)}`);
  const views = checkViewMode(name, options.views ?? 'independent');
  const grid = checkGridOption(name, options.grid ?? 'encoder');
  return {
    name,
    options: { ratio, minBlock, maxBlock: Number.isFinite(maxBlock) ? maxBlock : null, minAspect, views, grid },
    grid,
    encoderLength: (g) => keepCount(g[0] * g[1], ratio),
    check: (ctx: MaskingCheckContext) => checkCommon(grid, ctx, keepCount(ctx.grid[0] * ctx.grid[1], ratio)),
    sample(request: MaskRequest): MaskSample {
      const { length, views: v, samples } = checkRequest(name, request);
      checkFixedGrid(name, grid, request.grid);
      if (request.noise) throw new MaskingOptionError(name, 'request.noise', 'block masking draws rectangles from request.rng and cannot reuse recorded noise; omit noise');
      const keep = keepCount(length, ratio);
      if (keep < 1) throw new MaskingOptionError(name, 'ratio', `${ratio} leaves no visible patch of ${length}; lower it`);
      const [h, w] = request.grid;
      const shared = views === 'shared' && v > 1;
      const rows = shared ? samples : request.count;
      let idsShuffle: Int32Array = new Int32Array(rows * length);
      let idsRestore: Int32Array = new Int32Array(rows * length);
      for (let r = 0; r < rows; r++) {
        const m = drawBlockMask(h, w, length - keep, request.rng, minBlock, maxBlock, minAspect);
        const visible = request.rng.shuffle(Array.from(m.keys()).filter((i) => !m[i]));
        const hidden = request.rng.shuffle(Array.from(m.keys()).filter((i) => m[i]));
        const order = Int32Array.from([...visible, ...hidden]);
        idsShuffle.set(order, r * length);
        idsRestore.set(inversePermutation(order), r * length);
      }
      if (shared) {
        idsShuffle = repeatRowsPerView(idsShuffle, samples, v, length);
        idsRestore = repeatRowsPerView(idsRestore, samples, v, length);
      }
      return buildMaskSample(request.grid, idsShuffle, idsRestore, new Array<number>(request.count).fill(keep));
    },
  };
}

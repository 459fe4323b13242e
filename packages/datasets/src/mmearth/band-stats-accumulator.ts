import type { BandStatsEntry } from './side-files';

/**
 * Streaming per-channel statistics (count, mean, population std, min, max) that skip a no-data
 * value and non-finite values, merged sample by sample (Chan et al.'s parallel update, in float64),
 * so a writer computes MMEarth-style band statistics in one pass over data of any size.
 */
export class BandStatsAccumulator {
  private readonly count: Float64Array;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;

  constructor(
    /** Number of channels. */
    readonly channels: number,
    /** Value excluded from the statistics (NaN: none besides non-finite values). */
    readonly noData = Number.NaN,
  ) {
    this.count = new Float64Array(channels);
    this.mean = new Float64Array(channels);
    this.m2 = new Float64Array(channels);
    this.min = new Float64Array(channels).fill(Number.POSITIVE_INFINITY);
    this.max = new Float64Array(channels).fill(Number.NEGATIVE_INFINITY);
  }

  /** Add one sample stored channel-first: `[C, ...]` with `values.length / C` values per channel. */
  addChannelFirst(values: ArrayLike<number>): void {
    const per = values.length / this.channels;
    for (let c = 0; c < this.channels; c++) {
      let n = 0;
      let sum = 0;
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      const base = c * per;
      for (let i = 0; i < per; i++) {
        const v = values[base + i] as number;
        if (!Number.isFinite(v) || v === this.noData) continue;
        n++;
        sum += v;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (n === 0) continue;
      const m = sum / n;
      let m2 = 0;
      for (let i = 0; i < per; i++) {
        const v = values[base + i] as number;
        if (!Number.isFinite(v) || v === this.noData) continue;
        m2 += (v - m) * (v - m);
      }
      this.merge(c, n, m, m2, lo, hi);
    }
  }

  /** Whether any valid value was seen. */
  get empty(): boolean {
    return this.count.every((n) => n === 0);
  }

  /** The statistics; channels without any valid value get NaN. */
  result(): BandStatsEntry {
    const mean: number[] = [];
    const std: number[] = [];
    const min: number[] = [];
    const max: number[] = [];
    for (let c = 0; c < this.channels; c++) {
      const n = this.count[c] as number;
      mean.push(n > 0 ? (this.mean[c] as number) : Number.NaN);
      std.push(n > 0 ? Math.sqrt((this.m2[c] as number) / n) : Number.NaN);
      min.push(n > 0 ? (this.min[c] as number) : Number.NaN);
      max.push(n > 0 ? (this.max[c] as number) : Number.NaN);
    }
    return { mean, std, min, max };
  }

  private merge(c: number, nb: number, mb: number, m2b: number, lo: number, hi: number): void {
    const na = this.count[c] as number;
    const ma = this.mean[c] as number;
    const n = na + nb;
    const delta = mb - ma;
    this.mean[c] = ma + (delta * nb) / n;
    this.m2[c] = (this.m2[c] as number) + m2b + (delta * delta * na * nb) / n;
    this.count[c] = n;
    if (lo < (this.min[c] as number)) this.min[c] = lo;
    if (hi > (this.max[c] as number)) this.max[c] = hi;
  }
}

/** Percentiles of a contrast stretch (0–100). */
export interface StretchPercentiles {
  /** Maps to black. Default 2. */
  readonly low?: number;
  /** Maps to white. Default 98. */
  readonly high?: number;
}

/**
 * The `p`-th percentile (0–100) of the finite values, with linear interpolation between order
 * statistics (numpy's default); NaN when there is no finite value.
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) finite.push(v);
  }
  if (finite.length === 0) return Number.NaN;
  finite.sort((a, b) => a - b);
  const pos = (Math.min(100, Math.max(0, p)) / 100) * (finite.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(finite.length - 1, lo + 1);
  return (finite[lo] as number) + ((finite[hi] as number) - (finite[lo] as number)) * (pos - lo);
}

/** The linear map of a robust stretch: values at the low percentile → 0, at the high one → 255. */
export interface StretchRange {
  readonly low: number;
  readonly high: number;
}

/** Percentile range of `values` (all of them, or those where `use[i]` is true). */
export function stretchRange(values: ArrayLike<number>, percentiles: StretchPercentiles = {}, use?: (i: number) => boolean): StretchRange {
  const picked: number[] = [];
  for (let i = 0; i < values.length; i++) if (!use || use(i)) picked.push(values[i] as number);
  return { low: percentile(picked, percentiles.low ?? 2), high: percentile(picked, percentiles.high ?? 98) };
}

/** A value mapped to 0–255 through a range (clipped; a flat range maps to mid-grey; non-finite → 0). */
export function stretchByte(v: number, range: StretchRange): number {
  if (!Number.isFinite(v) || !Number.isFinite(range.low)) return 0;
  const span = range.high - range.low;
  if (!(span > 0)) return 128;
  return Math.round(Math.min(1, Math.max(0, (v - range.low) / span)) * 255);
}

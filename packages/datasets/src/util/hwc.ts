import type { NumericArray } from './typed-arrays';

/** Per-band z-score statistics, aligned with the bands produced. */
export interface ZScoreStats {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** Result of {@link bandsToHwc}. */
export interface HwcResult {
  /** `[H, W, C]` float32. */
  readonly data: Float32Array;
  /** Raw values that were non-finite and not the no-data value. */
  readonly unexpectedNonFinite: number;
}

/**
 * Gather bands (band-sequential arrays, each `H*W` row-major, or one CHW array) into a
 * float32 HWC array, optionally z-scored; no-data and non-finite values become 0.
 */
export function bandsToHwc(
  bands: readonly NumericArray[] | NumericArray,
  indices: readonly number[],
  hw: number,
  stats?: ZScoreStats,
  noData?: number,
): HwcResult {
  const C = indices.length;
  const out = new Float32Array(hw * C);
  let unexpected = 0;
  const single = !Array.isArray(bands);
  for (let k = 0; k < C; k++) {
    const b = indices[k] as number;
    const src = single ? (bands as NumericArray) : ((bands as readonly NumericArray[])[b] as NumericArray);
    const base = single ? b * hw : 0;
    const mean = stats ? (stats.mean[k] as number) : 0;
    const std = stats ? (stats.std[k] as number) : 1;
    for (let p = 0; p < hw; p++) {
      const v = src[base + p] as number;
      if (v === noData) {
        out[p * C + k] = 0;
        continue;
      }
      if (!Number.isFinite(v)) {
        unexpected++;
        out[p * C + k] = 0;
        continue;
      }
      out[p * C + k] = (v - mean) / std;
    }
  }
  return { data: out, unexpectedNonFinite: unexpected };
}

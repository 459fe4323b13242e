/** Median and spread of repeated timings. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Every sample, in run order. */
  readonly samples: readonly number[];
}

/** Median, min and max of a non-empty list (NaN fields for an empty one). */
export function summarize(samples: readonly number[]): Spread {
  if (samples.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, samples: [] };
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, samples: [...samples] };
}

/** `median (min–max)` with the given digits. */
export function formatSpread(s: Spread, digits = 0): string {
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

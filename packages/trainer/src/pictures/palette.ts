import type { Rgb } from './rgb-image';

/**
 * The fixed colour map of categorical panels: 20 well-separated colours, class `k` drawn with
 * `CATEGORICAL_PALETTE[k % 20]`, so a class keeps its colour in every picture of a run.
 */
export const CATEGORICAL_PALETTE: readonly Rgb[] = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
  [174, 199, 232], [255, 187, 120], [152, 223, 138], [255, 152, 150], [197, 176, 213],
  [196, 156, 148], [247, 182, 210], [219, 219, 141], [158, 218, 229], [255, 255, 255],
];

/** Black: the ignore label and missing values. */
export const IGNORE_COLOR: Rgb = [0, 0, 0];

/** Colour of class `k` (black for the ignore label, NaN and negative values). */
export function classColor(k: number, ignoreIndex = -1): Rgb {
  if (!Number.isFinite(k) || k === ignoreIndex || k < 0) return IGNORE_COLOR;
  return CATEGORICAL_PALETTE[Math.round(k) % CATEGORICAL_PALETTE.length] as Rgb;
}

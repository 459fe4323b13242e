import type { LabelRemap } from './modality-definition';

/**
 * Apply a label remap to stored values: mapped values become their class, everything else
 * (no-data, unknown codes, NaN) becomes `ignoreIndex`.
 */
export function applyLabelRemap(
  values: ArrayLike<number>,
  remap: LabelRemap,
  ignoreIndex: number,
  out = new Int32Array(values.length),
): Int32Array {
  // A dense lookup table for small non-negative integer codes (the common case: uint8 maps).
  let maxCode = -1;
  let dense = true;
  for (const key of Object.keys(remap.map)) {
    const k = Number(key);
    if (!Number.isInteger(k) || k < 0 || k > 65535) dense = false;
    else if (k > maxCode) maxCode = k;
  }
  if (dense) {
    const table = new Int32Array(maxCode + 1).fill(ignoreIndex);
    for (const [k, v] of Object.entries(remap.map)) table[Number(k)] = v;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      out[i] = v >= 0 && v <= maxCode && Number.isInteger(v) ? (table[v] as number) : ignoreIndex;
    }
    return out;
  }
  for (let i = 0; i < values.length; i++) {
    const mapped = remap.map[values[i] as number];
    out[i] = mapped === undefined ? ignoreIndex : mapped;
  }
  return out;
}

/** Dynamic World: 0 = no data, 1..9 → classes 0..8, anything else → ignore. */
export const DYNAMIC_WORLD_REMAP: LabelRemap = {
  map: { 1: 0, 2: 1, 3: 2, 4: 3, 5: 4, 6: 5, 7: 6, 8: 7, 9: 8 },
};

/** ESA WorldCover: 10, 20, …, 90, 95, 100 → classes 0..10, anything else (0, 255) → ignore. */
export const ESA_WORLDCOVER_REMAP: LabelRemap = {
  map: { 10: 0, 20: 1, 30: 2, 40: 3, 50: 4, 60: 5, 70: 6, 80: 7, 90: 8, 95: 9, 100: 10 },
};

/** Sentinel-2 scene classification (SCL): 0..11 kept as classes, 255 (no data) → ignore. */
export const SENTINEL2_SCL_REMAP: LabelRemap = {
  map: { 0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7, 8: 8, 9: 9, 10: 10, 11: 11 },
};

/** Sentinel-2 QA60 cloud bits: 0 → clear (0), 1024 (or 1024+2048) → opaque cloud (1), 2048 → cirrus (2). */
export const SENTINEL2_QA60_REMAP: LabelRemap = {
  map: { 0: 0, 1024: 1, 2048: 2, 3072: 1 },
};

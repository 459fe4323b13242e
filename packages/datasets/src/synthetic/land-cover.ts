/**
 * Land-cover classes of the synthetic Earth (Dynamic World's nine) and what each looks like to
 * every sensor: Sentinel-2 surface reflectance (green and senescent), Sentinel-1 backscatter,
 * the ESA WorldCover code.
 */

/** Dynamic World class indices (0-based, after MMEarth's remap). */
export const LC = {
  water: 0, trees: 1, grass: 2, flooded: 3, crops: 4, shrub: 5, built: 6, bare: 7, snow: 8,
} as const;

/**
 * Sentinel-2 surface reflectance (0..1) per class when fully green, in MMEarth's stored band
 * order B1, B2, B3, B4, B5, B6, B7, B8A, B8, B9, B10, B11, B12.
 */
export const SPECTRA_GREEN: readonly (readonly number[])[] = [
  [0.06, 0.055, 0.05, 0.03, 0.022, 0.016, 0.013, 0.01, 0.011, 0.006, 0.001, 0.006, 0.004], // water
  [0.025, 0.03, 0.055, 0.03, 0.085, 0.24, 0.3, 0.34, 0.33, 0.3, 0.003, 0.15, 0.07], // trees
  [0.035, 0.045, 0.085, 0.06, 0.13, 0.26, 0.3, 0.33, 0.32, 0.29, 0.004, 0.23, 0.12], // grass
  [0.04, 0.045, 0.065, 0.045, 0.09, 0.16, 0.19, 0.21, 0.2, 0.16, 0.003, 0.1, 0.05], // flooded vegetation
  [0.045, 0.055, 0.1, 0.07, 0.15, 0.3, 0.35, 0.39, 0.38, 0.34, 0.004, 0.25, 0.14], // crops
  [0.06, 0.075, 0.105, 0.12, 0.155, 0.2, 0.22, 0.245, 0.24, 0.22, 0.005, 0.3, 0.22], // shrub and scrub
  [0.1, 0.11, 0.125, 0.135, 0.145, 0.16, 0.17, 0.18, 0.18, 0.17, 0.006, 0.22, 0.19], // built
  [0.12, 0.14, 0.18, 0.23, 0.26, 0.28, 0.29, 0.31, 0.3, 0.28, 0.007, 0.38, 0.33], // bare
  [0.86, 0.85, 0.83, 0.8, 0.78, 0.75, 0.72, 0.68, 0.7, 0.5, 0.02, 0.1, 0.08], // snow and ice
];

/** Reflectance of senescent (dry) vegetation, the other end member of the seasonal mix. */
export const SPECTRUM_SENESCENT: readonly number[] = [0.06, 0.075, 0.1, 0.13, 0.16, 0.19, 0.21, 0.23, 0.22, 0.21, 0.005, 0.31, 0.23];

/** How much of each class's spectrum follows the season (0 = constant). */
export const SEASONAL_WEIGHT: readonly number[] = [0, 0.35, 0.9, 0.5, 1, 0.6, 0, 0, 0];

/** Sentinel-1 backscatter (dB) per class: `[VV, VH]`. */
export const S1_DB: readonly (readonly [number, number])[] = [
  [-21, -28], [-7.5, -13.5], [-10.5, -17.5], [-6.5, -14], [-9, -15.5], [-11, -18.5], [-3.5, -10.5], [-14, -24], [-12.5, -20],
];

/** ESA WorldCover code per class (flooded vegetation → herbaceous wetland). */
export const WORLDCOVER_CODE: readonly number[] = [80, 10, 30, 90, 40, 20, 50, 60, 70];

/** Sentinel-2 scene classification (SCL) per class: water 6, vegetation 4, not vegetated 5, snow 11. */
export const SCL_CODE: readonly number[] = [6, 4, 4, 4, 4, 4, 5, 5, 11];

/** Top-of-atmosphere minus surface reflectance (L1C path radiance), per band. */
export const PATH_RADIANCE: readonly number[] = [0.11, 0.085, 0.055, 0.035, 0.028, 0.022, 0.018, 0.013, 0.014, 0.01, 0, 0.004, 0.002];

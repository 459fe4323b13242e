import type { ModalitySpec } from '@terramae/tensors';

/**
 * How stored label values become class indices: `map[stored] = class`; every value not in the
 * map (including the declared no-data value) becomes the ignore index.
 */
export interface LabelRemap {
  /** Stored value → class index (0-based). */
  readonly map: Readonly<Record<number, number>>;
}

/**
 * Where a modality's normalisation statistics live in a `*_band_stats.json` file. A string names
 * one key; the object form picks the key per tile from its Sentinel-2 product type (`S2_type`).
 */
export type StatsKey = string | { readonly l1c: string; readonly l2a: string };

/**
 * Full description of a stored modality: the {@link ModalitySpec} every package sees, plus what a
 * reader and a writer need (storage dtype and channel count, one-hot encoding, label remap,
 * normalisation statistics key).
 *
 * Pixel-level modalities are stored `[N, C, S, S]`, image-level ones `[N, C]`.
 */
export interface ModalityDefinition extends ModalitySpec {
  /** Storage dtype (required for definitions). */
  readonly dtype: NonNullable<ModalitySpec['dtype']>;
  /** Names of the stored channels, in stored order (continuous modalities: the same as `bands`). */
  readonly storedBands: readonly string[];
  /**
   * `values`: channels hold the data; `one-hot`: an image-level categorical stored as a one-hot
   * vector of `numClasses` channels (MMEarth biome, eco_region), read back as the argmax.
   */
  readonly encoding: 'values' | 'one-hot';
  /** Stored value → class index, for categorical modalities stored as codes. */
  readonly labelRemap?: LabelRemap;
  /** Band-statistics key; present when the modality is z-scored. */
  readonly statsKey?: StatsKey;
  /** Whether writers compute band statistics for it (continuous modalities and the S2 masks). */
  readonly computeStats: boolean;
  /** Human-readable class names (categorical, after remap). */
  readonly classNames?: readonly string[];
  /** `mask`: quality layers that MMEarth stores but does not train on. */
  readonly role?: 'data' | 'mask';
}

/** Index of each stored band name, for band selection by name. */
export function storedBandIndex(def: ModalityDefinition, band: string): number {
  return def.storedBands.indexOf(band);
}

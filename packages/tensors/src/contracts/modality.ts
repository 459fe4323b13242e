/**
 * How a modality is described to every package: datasets produce it, pretext tasks consume it.
 * @packageDocumentation
 */

/** Whether a modality is a map aligned with the input image or one vector per sample. */
export type ModalityLevel = 'pixel' | 'image';

/** Whether values are measurements (regressed) or class labels (classified). */
export type ModalityKind = 'continuous' | 'categorical';

/** Storage dtype of a modality as written in its source file. */
export type ModalityDType = 'float32' | 'float16' | 'int8' | 'int16' | 'int32' | 'uint8' | 'uint16' | 'uint32';

/**
 * Describes one modality (e.g. Sentinel-2, Dynamic World, biome).
 *
 * Pixel-level modalities arrive in a {@link Batch} as NHWC float32 (continuous) or `[B, H, W]`
 * int32 labels (categorical, `ignoreIndex` where missing). Image-level modalities arrive as
 * `[B, C]` float32 (continuous) or `[B]` int32 class indices (categorical).
 */
export interface ModalitySpec {
  /** Registry name, e.g. `sentinel2`. */
  readonly name: string;
  readonly level: ModalityLevel;
  readonly kind: ModalityKind;
  /** Band (channel) names in the order the tensor holds them. For categorical maps: `['label']`. */
  readonly bands: readonly string[];
  /** Number of classes for categorical modalities (after any remap). */
  readonly numClasses?: number;
  /** The value that marks missing data in the stored file (before any remap). */
  readonly noData?: number;
  /** Label value that losses ignore (categorical). MMEarth uses -1. */
  readonly ignoreIndex?: number;
  /** Storage dtype in the source file. */
  readonly dtype?: ModalityDType;
  /** Human-readable description. */
  readonly description?: string;
}

/** Number of channels a modality contributes to a batch tensor (1 for categorical maps). */
export function modalityChannels(spec: ModalitySpec): number {
  return spec.kind === 'categorical' ? 1 : spec.bands.length;
}

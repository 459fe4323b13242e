/** Depths (blocks per stage) and widths (channels per stage) of one ConvNeXt V2 size. */
export interface ConvNeXtV2Size {
  /** Blocks in each of the four stages. */
  readonly depths: readonly number[];
  /** Channels of each of the four stages. */
  readonly dims: readonly number[];
}

/** Names of the ConvNeXt V2 sizes of the original code (`models/convnextv2.py`). */
export type ConvNeXtV2SizeName = 'atto' | 'femto' | 'pico' | 'nano' | 'tiny' | 'base' | 'large' | 'huge';

/**
 * Every ConvNeXt V2 size, depths and dims exactly as the factories of facebookresearch/ConvNeXt-V2
 * and vishalned/MMEarth-train (`convnextv2_atto` … `convnextv2_huge`).
 */
export const CONVNEXTV2_SIZES: Readonly<Record<ConvNeXtV2SizeName, ConvNeXtV2Size>> = Object.freeze({
  atto: { depths: [2, 2, 6, 2], dims: [40, 80, 160, 320] },
  femto: { depths: [2, 2, 6, 2], dims: [48, 96, 192, 384] },
  pico: { depths: [2, 2, 6, 2], dims: [64, 128, 256, 512] },
  nano: { depths: [2, 2, 8, 2], dims: [80, 160, 320, 640] },
  tiny: { depths: [3, 3, 9, 3], dims: [96, 192, 384, 768] },
  base: { depths: [3, 3, 27, 3], dims: [128, 256, 512, 1024] },
  large: { depths: [3, 3, 27, 3], dims: [192, 384, 768, 1536] },
  huge: { depths: [3, 3, 27, 3], dims: [352, 704, 1408, 2816] },
});

/** The size names in increasing order. */
export const CONVNEXTV2_SIZE_NAMES: readonly ConvNeXtV2SizeName[] = Object.freeze(
  Object.keys(CONVNEXTV2_SIZES) as ConvNeXtV2SizeName[],
);

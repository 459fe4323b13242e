import { VIT_SIZES, type VitInputOptions, type VitSizeName } from './config';
import { VisionTransformer } from './vision-transformer';

/** Build a ViT of a named size; `options` set the input geometry, position embedding and init. */
export function createVit(size: VitSizeName, options: VitInputOptions = {}): VisionTransformer {
  const s = VIT_SIZES[size];
  if (!s) throw new RangeError(`createVit: unknown size '${String(size)}'; use one of ${Object.keys(VIT_SIZES).join(', ')}`);
  return new VisionTransformer({ ...options, embedDim: s.embedDim, depth: s.depth, numHeads: s.numHeads, patchSize: options.patchSize ?? s.patchSize });
}

/** ViT-Tiny (DeiT-Ti): D 192, 12 blocks, 3 heads, patch 16 by default. */
export function vitTiny(options?: VitInputOptions): VisionTransformer {
  return createVit('tiny', options);
}

/** ViT-Small (DeiT-S): D 384, 12 blocks, 6 heads, patch 16 by default. */
export function vitSmall(options?: VitInputOptions): VisionTransformer {
  return createVit('small', options);
}

/** ViT-Base: D 768, 12 blocks, 12 heads, patch 16 by default. */
export function vitBase(options?: VitInputOptions): VisionTransformer {
  return createVit('base', options);
}

/** ViT-Large: D 1024, 24 blocks, 16 heads, patch 16 by default. */
export function vitLarge(options?: VitInputOptions): VisionTransformer {
  return createVit('large', options);
}

/** ViT-Huge: D 1280, 32 blocks, 16 heads, patch 14 by default (MAE's `vit_huge_patch14`). */
export function vitHuge(options?: VitInputOptions): VisionTransformer {
  return createVit('huge', options);
}

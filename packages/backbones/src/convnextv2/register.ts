import { registerBackbone } from '../registry';
import type { ConvNeXtV2Options } from './config';
import { convnextv2Metadata, createConvNeXtV2 } from './factories';
import { CONVNEXTV2_SIZE_NAMES } from './sizes';

/**
 * Register every ConvNeXt V2 size in the backbone registry as `convnextv2_<size>`
 * (`convnextv2_atto` … `convnextv2_huge`), each with its metadata. Runs once when this package is
 * imported; calling it again re-registers (with the registry's duplicate warning).
 */
export function registerConvNeXtV2Backbones(): void {
  for (const size of CONVNEXTV2_SIZE_NAMES) {
    registerBackbone<ConvNeXtV2Options>({
      name: `convnextv2_${size}`,
      create: (options) => createConvNeXtV2(size, options ?? {}),
      metadata: convnextv2Metadata(size),
    });
  }
}

registerConvNeXtV2Backbones();

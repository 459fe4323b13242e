import { uniformRatioStrategy, type RandomMaskingOptions } from './random';
import type { MaskingStrategy } from './types';

/** Options of {@link fcmaeMasking}; the same fields as random masking, with ratio 0.6 by default. */
export type FcmaeMaskingOptions = RandomMaskingOptions;

/**
 * FCMAE / MMEarth masking (`FCMAE.gen_random_mask`): random masking on the coarse grid of the
 * encoder's output (7×7 for 56 px with patch 8 and for 112 px with patch 16), `keep = int(L·(1 −
 * ratio))` (19 of 49 at the default 0.6). The encoder and the pixel losses see it upsampled by
 * block repeat: use {@link visibilityMap} / {@link upsampleMask} for every resolution.
 *
 * The reference draws `torch.randn` noise; only its order matters, so the strategy draws uniform
 * noise (pass `request.noise` to reuse a recorded draw).
 */
export function fcmaeMasking(options: FcmaeMaskingOptions = {}): MaskingStrategy {
  return uniformRatioStrategy('fcmae', options, 0.6);
}

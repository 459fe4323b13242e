import * as tf from '@tensorflow/tfjs';
import { stopGradient } from '@terramae/tensors';
import { ConvNeXtV2InputError } from './errors';

/**
 * Where the sparse original has active points, at every resolution of one masked forward:
 * float maps `[B, h, w, 1]` with 1 = visible (active), 0 = hidden. Built once per forward.
 */
export interface VisibilityPyramid {
  /** At input resolution (where `initial_conv` and the stem conv read). */
  readonly pixels: tf.Tensor4D;
  /** `pixels` as a boolean map, for zeroing the raw input with `where` (NaN-safe). */
  readonly pixelsBool: tf.Tensor4D;
  /** At the resolution of stages 0, 1, 2, 3. */
  readonly stages: readonly tf.Tensor4D[];
}

/** Options of {@link buildVisibility}. */
export interface VisibilityOptions {
  /** Input pixels per mask cell. */
  readonly patchSize: number;
  /** Stem kernel and stride (`patchSize / 8`). */
  readonly stemStride: number;
  /** Also treat pixels whose bands are all exactly 0 as absent (MinkowskiEngine's `to_sparse`). */
  readonly dropZeroPixels: boolean;
}

/** A cell is active when any position of its `k × k` window is (Minkowski's strided output coordinates). */
function windowAny(v: tf.Tensor4D, k: number): tf.Tensor4D {
  return k === 1 ? v : tf.maxPool(v, k, k, 'valid');
}

/** Check that `mask` is `[B, (H/p)·(W/p)]` for an input `[B, H, W, C]`; returns the grid. */
export function checkPatchMask(x: tf.Tensor4D, mask: tf.Tensor, patchSize: number): [number, number] {
  const [b, hh, ww] = x.shape;
  if (hh % patchSize !== 0 || ww % patchSize !== 0) {
    throw new ConvNeXtV2InputError(
      `ConvNeXt V2 masked forward: input ${hh}×${ww} is not divisible by patchSize ${patchSize}; crop the input to a multiple of the patch size.`,
    );
  }
  const h = hh / patchSize;
  const w = ww / patchSize;
  if (mask.rank !== 2 || mask.shape[0] !== b || mask.shape[1] !== h * w) {
    throw new ConvNeXtV2InputError(
      `ConvNeXt V2 masked forward: mask has shape [${mask.shape.join(', ')}], expected [${b}, ${h * w}] (batch ${b}, a ${h}×${w} patch grid for ${hh}×${ww} px at patch ${patchSize}).`,
    );
  }
  return [h, w];
}

/**
 * Visibility at every resolution of the FCMAE masked forward. The patch mask (`[B, L]`, 1 =
 * hidden) is repeated to pixels; optionally all-zero pixels are dropped as `to_sparse` does; each
 * coarser level is active where any position of its stride window is (stem: `k × k`, then 2×2 per
 * downsampling), exactly the output coordinates of Minkowski's strided convolutions.
 */
export function buildVisibility(x: tf.Tensor4D, mask: tf.Tensor2D, options: VisibilityOptions): VisibilityPyramid {
  const [h, w] = checkPatchMask(x, mask, options.patchSize);
  const [b, hh, ww] = x.shape;
  const p = options.patchSize;
  return tf.tidy(() => {
    const hidden = mask
      .toFloat()
      .reshape([b, h, 1, w, 1])
      .tile([1, 1, p, 1, p])
      .reshape([b, hh, ww, 1]) as tf.Tensor4D;
    let pixelsBool = hidden.less(0.5) as tf.Tensor4D;
    if (options.dropZeroPixels) {
      const nonzero = stopGradient(x).abs().sum(3, true).greater(0);
      pixelsBool = tf.logicalAnd(pixelsBool, nonzero) as tf.Tensor4D;
    }
    const pixels = pixelsBool.toFloat() as tf.Tensor4D;
    const stages: tf.Tensor4D[] = [windowAny(pixels, options.stemStride)];
    for (let i = 0; i < 3; i++) stages.push(windowAny(stages[i] as tf.Tensor4D, 2));
    return { pixels, pixelsBool, stages };
  });
}

/** Dispose every map of a pyramid. */
export function disposeVisibility(v: VisibilityPyramid): void {
  v.pixels.dispose();
  v.pixelsBool.dispose();
  for (const s of v.stages) s.dispose();
}

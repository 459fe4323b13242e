import * as tf from '@tensorflow/tfjs';
import { patchify, unpatchify } from '@terramae/tensors';
import { crossVisibilityWeight } from '../../losses/neighbor-weight';
import { normalizeByPatchStats } from '../mae/patch-norm';
import { crossProject } from './cross-project';
import { visiblePixels } from './pixel-visibility';

/** Inputs of {@link neighborReconstructionLoss}. */
export interface NeighborLossInputs {
  /** `[B·2, L, p·p·C]` prediction in the original patch order, view-major inside a sample. */
  readonly pred: tf.Tensor3D;
  /** `[B·2, H, W, C]` the images the encoder saw (before masking). */
  readonly images: tf.Tensor4D;
  /** `[B·2, L]` patch mask, 1 = hidden (including tokens the encoder saw with their key disabled). */
  readonly mask: tf.Tensor2D;
  /** `[B, 2, 4]` footprint boxes in a frame shared by each pair (NeighborMAE: union-normalised). */
  readonly boxes: tf.Tensor3D;
  /** Pixels per patch side. */
  readonly patchSize: number;
}

/** Options of {@link neighborReconstructionLoss}. */
export interface NeighborLossOptions {
  /** Normalise the target and the warped neighbour with the target's per-patch statistics. */
  readonly normPixLoss: boolean;
  /** Variance epsilon of the normalisation. NeighborMAE: 1e-6. */
  readonly eps?: number;
  /** Smoothing window of the weight. NeighborMAE: 9. */
  readonly kernel?: number;
}

/** Everything {@link neighborReconstructionLoss} computes (the reference's intermediates). */
export interface NeighborLossResult {
  /** `Σ(L·w) / Σ(1 − V)`: the training loss. */
  readonly weightedLoss: tf.Scalar;
  /** `Σ(L·(1 − V)) / Σ(1 − V)`: the unweighted masked MSE (logged). */
  readonly maskedMse: tf.Scalar;
  /** `[B·2, H, W, 1]` L = mean over channels of `(pred − target)²`. */
  readonly lossMap: tf.Tensor4D;
  /** `[B·2, H, W, 1]` the cross-visibility weight. */
  readonly weight: tf.Tensor4D;
  /** `[B·2, H, W, C]` the unpatchified prediction. */
  readonly predImage: tf.Tensor4D;
  /** `[B·2, H, W, C]` the (normalised) target. */
  readonly target: tf.Tensor4D;
  /** `[B·2, H, W, C]` the other view warped into this frame (normalised like the target). */
  readonly neighbourImage: tf.Tensor4D;
  /** `[B·2, H, W, 1]` 1 on pixels whose patch the encoder saw. */
  readonly visible: tf.Tensor4D;
  /** `[B·2, H, W, 1]` the other view's visibility warped into this frame. */
  readonly neighbourVisible: tf.Tensor4D;
}

/**
 * NeighborMAE's joint reconstruction loss with the cross-visibility weight (specs/neighbormae.md
 * §3b), for pairs of views:
 *
 * - the other view is warped into this view's frame (bilinear image, nearest visibility);
 * - with `normPixLoss`, target and warped neighbour are normalised by the **target's** per-patch
 *   mean and unbiased variance;
 * - `L = mean_c (pred − x)²`, `E = mean_c (I_o→k − x)²`, the weight from {@link crossVisibilityWeight};
 * - `loss = Σ(L·w) / Σ(1 − V)` over both views of every pair (the masked-pixel count).
 *
 * The gradient reaches `pred` only through `L` in `Σ(L·w)`.
 */
export function neighborReconstructionLoss(inputs: NeighborLossInputs, options: NeighborLossOptions): NeighborLossResult {
  const { pred, images, mask, boxes, patchSize } = inputs;
  const [n, hh, ww, c] = images.shape;
  if (hh % patchSize !== 0 || ww % patchSize !== 0) {
    throw new RangeError(`neighborReconstructionLoss: image ${hh}×${ww} is not divisible by the patch size ${patchSize}`);
  }
  const grid: [number, number] = [hh / patchSize, ww / patchSize];
  const l = grid[0] * grid[1];
  const p = patchSize * patchSize * c;
  if (pred.shape[0] !== n || pred.shape[1] !== l || pred.shape[2] !== p) {
    throw new RangeError(`neighborReconstructionLoss: prediction [${pred.shape.join(', ')}] should be [${n}, ${l}, ${p}] for images [${images.shape.join(', ')}] and patch size ${patchSize}`);
  }
  if (mask.shape[0] !== n || mask.shape[1] !== l) {
    throw new RangeError(`neighborReconstructionLoss: mask [${mask.shape.join(', ')}] should be [${n}, ${l}]`);
  }
  return tf.tidy(() => {
    const visible = visiblePixels(mask, grid, patchSize);
    const projected = crossProject(images, visible, boxes);
    let target: tf.Tensor4D = images;
    let neighbourImage: tf.Tensor4D = projected.image;
    if (options.normPixLoss) {
      const [t, o] = normalizeByPatchStats(patchify(images, patchSize), [patchify(projected.image, patchSize)], options.eps ?? 1e-6) as [tf.Tensor3D, tf.Tensor3D];
      target = unpatchify(t, patchSize, grid, c);
      neighbourImage = unpatchify(o, patchSize, grid, c);
    }
    const predImage = unpatchify(pred, patchSize, grid, c);
    const lossMap = predImage.sub(target).square().mean(3, true) as tf.Tensor4D;
    const neighbourError = neighbourImage.sub(target).square().mean(3, true) as tf.Tensor4D;
    const weight = crossVisibilityWeight({
      reconError: lossMap,
      neighbourError,
      visible,
      neighbourVisible: projected.visible,
      ...(options.kernel !== undefined ? { kernel: options.kernel } : {}),
    });
    const invisible = tf.scalar(1).sub(visible);
    const count = invisible.sum();
    const weightedLoss = lossMap.mul(weight).sum().div(count) as tf.Scalar;
    const maskedMse = lossMap.mul(invisible).sum().div(count) as tf.Scalar;
    return { weightedLoss, maskedMse, lossMap, weight, predImage, target, neighbourImage, visible, neighbourVisible: projected.visible };
  });
}

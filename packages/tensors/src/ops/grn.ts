import * as tf from '@tensorflow/tfjs';
import { OpArgumentError } from './errors';

/** Options of {@link grn}. */
export interface GrnOptions {
  /** eps added to the mean norm: 1e-6 in the ConvNeXt V2 encoder, 1e-4 in MMEarth's dense decoder and fine-tuning model. */
  readonly eps: number;
  /**
   * `[B, H, W, 1]` with 1 at visible positions: statistics are taken over visible positions only
   * (FCMAE masked mode). Omit for dense input.
   */
  readonly visible?: tf.Tensor4D;
  /**
   * `sample` (default): one norm per sample and channel, like the dense GRN and upstream's JAX
   * masked-conv version. `batch`: one norm per channel over every visible position of the whole
   * batch, like MMEarth's sparse MinkowskiGRN.
   */
  readonly statistics?: 'sample' | 'batch';
}

/**
 * Global Response Normalisation (ConvNeXt V2): `G = ‖x‖₂` over the spatial positions,
 * `N = G / (mean_c G + eps)`, `y = γ·(x·N) + β + x`.
 *
 * @param x NHWC input.
 * @param gamma `[C]`.
 * @param beta `[C]`.
 */
export function grn(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, options: GrnOptions): tf.Tensor4D {
  const c = x.shape[3];
  if (x.rank !== 4) throw new OpArgumentError(`grn: input must be NHWC (rank 4), got shape [${x.shape}]`);
  if (gamma.size !== c || beta.size !== c) throw new OpArgumentError(`grn: input has ${c} channels, gamma has ${gamma.size} and beta ${beta.size} values`);
  const v = options.visible;
  if (v && (v.rank !== 4 || v.shape[0] !== x.shape[0] || v.shape[1] !== x.shape[1] || v.shape[2] !== x.shape[2] || v.shape[3] !== 1)) {
    throw new OpArgumentError(`grn: visible must be [${x.shape[0]}, ${x.shape[1]}, ${x.shape[2]}, 1] (1 = visible), got [${v.shape}]`);
  }
  if (options.statistics !== undefined && options.statistics !== 'sample' && options.statistics !== 'batch') {
    throw new OpArgumentError(`grn: statistics must be 'sample' or 'batch', got '${String(options.statistics)}'`);
  }
  const axes = options.statistics === 'batch' ? [0, 1, 2] : [1, 2];
  return tf.tidy(() => {
    const xv = options.visible ? x.mul(options.visible) : x;
    // The tiny floor keeps the gradient of sqrt finite for an all-zero channel (torch.norm's
    // backward returns 0 there); it only changes norms whose sum of squares is below ~1e-23.
    const g = xv.square().sum(axes, true).add(1e-30).sqrt();
    const nx = g.div(g.mean(3, true).add(options.eps));
    return gamma.mul(x.mul(nx)).add(beta).add(x) as tf.Tensor4D;
  });
}

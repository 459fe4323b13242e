import type * as tf from '@tensorflow/tfjs';
import { defineCustomGrad } from './custom-grad';
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
  return grnOp(axes, options.eps, v)(x, gamma, beta);
}

/**
 * GRN as one op with an analytic gradient. It keeps `x` and the small per-channel statistics for
 * the backward pass; the composite would keep five tensors of `x`'s size (the masked input, its
 * square, and the products).
 */
function grnOp(axes: number[], eps: number, visible: tf.Tensor4D | undefined) {
  return defineCustomGrad<[tf.Tensor4D, tf.Tensor1D, tf.Tensor1D], tf.Tensor4D>((x, gamma, beta, save) => {
    const sBetaShape = beta.shape;
    const xv = visible ? x.mul(visible) : x;
    // The tiny floor keeps the gradient of sqrt finite for an all-zero channel (torch.norm's
    // backward returns 0 there); it only changes norms whose sum of squares is below ~1e-23.
    const norm = xv.square().sum(axes, true).add(1e-30).sqrt();
    const denom = norm.mean(3, true).add(eps);
    const nx = norm.div(denom);
    // The mask goes through save() too: it may be a tensor of the forward pass, gone by backward.
    save(visible ? [x, gamma, norm, denom, nx, visible] : [x, gamma, norm, denom, nx]);
    return {
      value: gamma.mul(x.mul(nx)).add(beta).add(x) as tf.Tensor4D,
      gradFunc: (dy, saved) => {
        const [sx, g, sNorm, sDenom, sNx, sVisible] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor4D?];
        const all = [0, 1, 2];
        const dyGamma = dy.mul(g);
        // y = γ·x·N + β + x, with N = G / (mean_c G + eps) and G = ‖x·visible‖₂ over `axes`.
        const dNx = dyGamma.mul(sx).sum(axes, true);
        const channels = sx.shape[3];
        const dNorm = dNx.div(sDenom).sub(dNx.mul(sNorm).sum(3, true).div(sDenom.square().mul(channels)));
        // ∂G/∂x = x·visible² / G (visible is 0/1).
        const viaNorm = dNorm.div(sNorm).mul(sVisible ? sx.mul(sVisible) : sx);
        const dx = dy.add(dyGamma.mul(sNx)).add(viaNorm);
        return [dx as tf.Tensor4D, dy.mul(sx.mul(sNx)).sum(all).reshape(g.shape), dy.sum(all).reshape(sBetaShape)];
      },
    };
  });
}

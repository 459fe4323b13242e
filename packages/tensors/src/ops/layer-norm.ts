import type * as tf from '@tensorflow/tfjs';
import { defineCustomGrad } from './custom-grad';
import { OpArgumentError } from './errors';

function allButLastAxis(rank: number): number[] {
  return Array.from({ length: rank - 1 }, (_, i) => i);
}

/**
 * The op for one eps. It keeps the normalised input and the per-row inverse standard deviation
 * for the backward pass (the composite would keep the centred input, its square and the products).
 */
function layerNormOp(eps: number) {
  return defineCustomGrad<[tf.Tensor, tf.Tensor1D, tf.Tensor1D], tf.Tensor>((x, gamma, beta, save) => {
    const axis = x.rank - 1;
    const mean = x.mean(axis, true);
    const centered = x.sub(mean);
    const invStd = centered.square().mean(axis, true).add(eps).rsqrt();
    const normalized = centered.mul(invStd);
    save([normalized, invStd, gamma]);
    return {
      value: normalized.mul(gamma).add(beta),
      gradFunc: (dy, saved) => {
        const [xhat, rstd, g] = saved as [tf.Tensor, tf.Tensor, tf.Tensor1D];
        const last = xhat.rank - 1;
        const rows = allButLastAxis(xhat.rank);
        const dxhat = dy.mul(g);
        // dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), every mean over the normalised axis.
        const dx = dxhat.sub(dxhat.mean(last, true)).sub(xhat.mul(dxhat.mul(xhat).mean(last, true))).mul(rstd);
        return [dx, dy.mul(xhat).sum(rows), dy.sum(rows)];
      },
    };
  });
}

const opsByEps = new Map<number, ReturnType<typeof layerNormOp>>();

/**
 * LayerNorm over the last axis with an explicit eps (ConvNeXt and ViT use 1e-6; tfjs-layers'
 * default 1e-3 is wrong for them). For NHWC maps this is ConvNeXt's "channels_first" LayerNorm.
 * Biased variance, as PyTorch. One op with an analytic gradient.
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor {
  const c = x.shape[x.rank - 1];
  if (gamma.shape[0] !== c) throw new OpArgumentError(`layerNorm: input has ${c} features, gamma has ${gamma.shape[0]}`);
  if (beta.shape[0] !== c) throw new OpArgumentError(`layerNorm: input has ${c} features, beta has ${beta.shape[0]}`);
  let op = opsByEps.get(eps);
  if (!op) {
    op = layerNormOp(eps);
    opsByEps.set(eps, op);
  }
  return op(x, gamma, beta);
}

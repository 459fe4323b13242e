import * as tf from '@tensorflow/tfjs';
import { LayoutError } from './errors';

function need(x: tf.Tensor, rank: number, fn: string, layout: string): void {
  if (x.rank !== rank) {
    throw new LayoutError(`${fn}: expected a rank-${rank} tensor ${layout}; got shape [${x.shape.join(', ')}].`);
  }
}

/** PyTorch activations `[N, C, H, W]` -> TF.js `[N, H, W, C]`. Returns a new tensor. */
export function nchwToNhwc(x: tf.Tensor): tf.Tensor4D {
  need(x, 4, 'nchwToNhwc', '[N, C, H, W]');
  return tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
}

/** TF.js activations `[N, H, W, C]` -> PyTorch `[N, C, H, W]`. Returns a new tensor. */
export function nhwcToNchw(x: tf.Tensor): tf.Tensor4D {
  need(x, 4, 'nhwcToNchw', '[N, H, W, C]');
  return tf.transpose(x, [0, 3, 1, 2]) as tf.Tensor4D;
}

/** PyTorch `Conv2d.weight` `[out, in, kh, kw]` -> `tf.conv2d` filter HWIO `[kh, kw, in, out]`. */
export function convWeightToHwio(w: tf.Tensor): tf.Tensor4D {
  need(w, 4, 'convWeightToHwio', '[out, in, kh, kw]');
  return tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D;
}

/** `tf.conv2d` filter HWIO `[kh, kw, in, out]` -> PyTorch `Conv2d.weight` `[out, in, kh, kw]`. */
export function hwioToConvWeight(w: tf.Tensor): tf.Tensor4D {
  need(w, 4, 'hwioToConvWeight', '[kh, kw, in, out]');
  return tf.transpose(w, [3, 2, 0, 1]) as tf.Tensor4D;
}

/**
 * PyTorch depthwise `Conv2d(C, C*m, groups=C).weight` `[C*m, 1, kh, kw]` -> `tf.depthwiseConv2d`
 * filter `[kh, kw, C, m]` (output channel `c*m + j` in both). `channelMultiplier` m defaults to 1.
 */
export function depthwiseWeightToTf(w: tf.Tensor, channelMultiplier = 1): tf.Tensor4D {
  need(w, 4, 'depthwiseWeightToTf', '[C*m, 1, kh, kw]');
  const [outC, one, kh, kw] = w.shape as [number, number, number, number];
  const m = channelMultiplier;
  if (one !== 1 || !Number.isInteger(m) || m < 1 || outC % m !== 0) {
    throw new LayoutError(
      `depthwiseWeightToTf: a depthwise weight is [C*m, 1, kh, kw] with channel multiplier m=${m}; got shape [${w.shape.join(', ')}].`,
    );
  }
  return tf.tidy(() => tf.transpose(tf.reshape(w, [outC / m, m, kh, kw]), [2, 3, 0, 1])) as tf.Tensor4D;
}

/** `tf.depthwiseConv2d` filter `[kh, kw, C, m]` -> PyTorch depthwise weight `[C*m, 1, kh, kw]`. */
export function tfToDepthwiseWeight(w: tf.Tensor): tf.Tensor4D {
  need(w, 4, 'tfToDepthwiseWeight', '[kh, kw, C, m]');
  const [kh, kw, c, m] = w.shape as [number, number, number, number];
  return tf.tidy(() => tf.reshape(tf.transpose(w, [2, 3, 0, 1]), [c * m, 1, kh, kw])) as tf.Tensor4D;
}

/** PyTorch `Linear.weight` `[out, in]` -> dense kernel `[in, out]` (so `y = x @ kernel + b`). */
export function linearWeightToDense(w: tf.Tensor): tf.Tensor2D {
  need(w, 2, 'linearWeightToDense', '[out, in]');
  return tf.transpose(w) as tf.Tensor2D;
}

/** Dense kernel `[in, out]` -> PyTorch `Linear.weight` `[out, in]`. */
export function denseToLinearWeight(w: tf.Tensor): tf.Tensor2D {
  need(w, 2, 'denseToLinearWeight', '[in, out]');
  return tf.transpose(w) as tf.Tensor2D;
}

/**
 * MAE `patch_embed.proj.weight` `[D, C, p, p]` -> matrix `[p*p*C, D]` acting on patchified input
 * (`[N, L, p*p*C]`, within a patch (row, col, channel) with channel fastest): the patch embedding
 * is then `patches @ matrix + bias`, equal to the strided convolution.
 */
export function patchEmbedWeightToMatrix(w: tf.Tensor): tf.Tensor2D {
  need(w, 4, 'patchEmbedWeightToMatrix', '[D, C, p, p]');
  const [d, c, p, q] = w.shape as [number, number, number, number];
  if (p !== q) throw new LayoutError(`patchEmbedWeightToMatrix: patches must be square; got kernel ${p}x${q} (shape [${w.shape.join(', ')}]).`);
  return tf.tidy(() => tf.reshape(tf.transpose(w, [2, 3, 1, 0]), [p * p * c, d])) as tf.Tensor2D;
}

/**
 * Matrix `[p*p*C, D]` over patchified input -> MAE `patch_embed.proj.weight` `[D, C, p, p]`,
 * the inverse of {@link patchEmbedWeightToMatrix}.
 */
export function matrixToPatchEmbedWeight(m: tf.Tensor, patchSize: number): tf.Tensor4D {
  need(m, 2, 'matrixToPatchEmbedWeight', '[p*p*C, D]');
  const [rows, d] = m.shape as [number, number];
  const p = patchSize;
  if (!Number.isInteger(p) || p < 1 || rows % (p * p) !== 0) {
    throw new LayoutError(`matrixToPatchEmbedWeight: ${rows} rows is not p*p*C for patch size ${p}; pass the patch size the matrix was made with.`);
  }
  const c = rows / (p * p);
  return tf.tidy(() => tf.transpose(tf.reshape(m, [p, p, c, d]), [3, 2, 0, 1])) as tf.Tensor4D;
}

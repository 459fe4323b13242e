import * as tf from '@tensorflow/tfjs';
import { defineCustomGrad } from './custom-grad';
import { OpArgumentError } from './errors';

/**
 * `k × k` average pooling, stride 1, output the size of the input, where windows that overhang the
 * border average only the pixels inside (PyTorch
 * `avg_pool2d(k, stride=1, padding=(k−1)/2, count_include_pad=False)`). The window sums are a
 * depthwise convolution with a box filter; the gradient is the same box sum of `dy / count`
 * (the box is symmetric), so it uses forward kernels only and works on every backend.
 *
 * @param x NHWC input.
 * @param k odd window size.
 */
export function avgPoolExcludePad(x: tf.Tensor4D, k: number): tf.Tensor4D {
  if (!(Number.isInteger(k) && k > 0 && k % 2 === 1)) throw new OpArgumentError(`avgPoolExcludePad: kernel must be a positive odd integer, got ${k}`);
  if (x.rank !== 4) throw new OpArgumentError(`avgPoolExcludePad: input must be NHWC (rank 4), got shape [${x.shape}]`);
  return avgPoolOp(k)(x);
}

const avgPoolOps = new Map<number, (x: tf.Tensor4D) => tf.Tensor4D>();

function avgPoolOp(k: number): (x: tf.Tensor4D) => tf.Tensor4D {
  let op = avgPoolOps.get(k);
  if (!op) {
    op = defineCustomGrad<[tf.Tensor4D], tf.Tensor4D>((x) => ({
      value: boxMean(x, k),
      gradFunc: (dy: tf.Tensor4D) => boxSum(dy.div(windowCounts(dy.shape[1], dy.shape[2], k)) as tf.Tensor4D, k),
    }));
    avgPoolOps.set(k, op);
  }
  return op;
}

function boxMean(x: tf.Tensor4D, k: number): tf.Tensor4D {
  return boxSum(x, k).div(windowCounts(x.shape[1], x.shape[2], k));
}

/** Sum over the `k × k` window centred on every pixel, zeros outside. */
function boxSum(x: tf.Tensor4D, k: number): tf.Tensor4D {
  if (k === 1) return x.clone();
  return tf.depthwiseConv2d(x, tf.ones([k, k, x.shape[3], 1]) as tf.Tensor4D, 1, 'same');
}

/** Number of in-image pixels under each `k × k` window centred on every pixel: `[1, H, W, 1]`. */
function windowCounts(h: number, w: number, k: number): tf.Tensor4D {
  const q = (k - 1) / 2;
  const span = (i: number, n: number) => Math.min(n - 1, i + q) - Math.max(0, i - q) + 1;
  const data = new Float32Array(h * w);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) data[i * w + j] = span(i, h) * span(j, w);
  return tf.tensor4d(data, [1, h, w, 1]);
}

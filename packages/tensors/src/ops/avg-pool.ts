import * as tf from '@tensorflow/tfjs';
import { depthwiseConv2d } from './depthwise-conv';

/**
 * `k × k` average pooling, stride 1, output the size of the input, where windows that overhang the
 * border average only the pixels inside (PyTorch `avg_pool2d(k, 1, (k−1)/2, count_include_pad=False)`).
 * Built on {@link depthwiseConv2d}, so it is differentiable on every backend.
 *
 * @param x NHWC input; `k` odd.
 */
export function avgPoolExcludePad(x: tf.Tensor4D, k: number): tf.Tensor4D {
  if (k % 2 === 0) throw new RangeError(`avgPoolExcludePad: kernel must be odd, got ${k}`);
  const [, h, w, c] = x.shape;
  return tf.tidy(() => {
    const box = tf.ones([k, k, c, 1]) as tf.Tensor4D;
    const sums = depthwiseConv2d(x, box);
    const counts = windowCounts(h, w, k);
    return sums.div(counts) as tf.Tensor4D;
  });
}

/** Number of in-image pixels under each `k × k` window centred on every pixel: `[1, H, W, 1]`. */
function windowCounts(h: number, w: number, k: number): tf.Tensor4D {
  const q = (k - 1) / 2;
  const span = (i: number, n: number) => Math.min(n - 1, i + q) - Math.max(0, i - q) + 1;
  const data = new Float32Array(h * w);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) data[i * w + j] = span(i, h) * span(j, w);
  return tf.tensor4d(data, [1, h, w, 1]);
}

import * as tf from '@tensorflow/tfjs';
import { defineCustomGrad } from './custom-grad';

/**
 * Depthwise `k × k` convolution, stride 1, `'same'` zero padding (PyTorch `padding=(k−1)/2`), with
 * its own gradient built from forward kernels only: the input gradient is the depthwise
 * convolution of `dy` with the flipped filter, the filter gradient a sum of `k²` shifted products.
 * (wasm has neither depthwise backprop kernel.)
 *
 * @param x NHWC input.
 * @param weight `[k, k, C, 1]` (PyTorch `[C, 1, k, k]` transposed).
 * @param bias `[C]`.
 */
export function depthwiseConv2d(x: tf.Tensor4D, weight: tf.Tensor4D, bias?: tf.Tensor1D): tf.Tensor4D {
  const [k, kw, c, m] = weight.shape;
  if (k !== kw || k % 2 === 0 || m !== 1) throw new RangeError(`depthwiseConv2d: needs an odd square [k,k,C,1] filter, got [${weight.shape}]`);
  if (x.shape[3] !== c) throw new RangeError(`depthwiseConv2d: input has ${x.shape[3]} channels, filter has ${c}`);
  const y = depthwiseSame(x, weight);
  return bias ? tf.tidy(() => y.add(bias)) : y;
}

const depthwiseSame = defineCustomGrad<[tf.Tensor4D, tf.Tensor4D], tf.Tensor4D>((x, w, save) => {
  save([x, w]);
  const value = tf.depthwiseConv2d(x, w, 1, 'same');
  const gradFunc = (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
    const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
    const k = ws.shape[0];
    const q = (k - 1) / 2;
    const dx = tf.depthwiseConv2d(dy, tf.reverse(ws, [0, 1]) as tf.Tensor4D, 1, 'same');
    const [n, h, wd, c] = xs.shape;
    const xp = tf.pad(xs, [[0, 0], [q, q], [q, q], [0, 0]]);
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) taps.push(xp.slice([0, i, j, 0], [n, h, wd, c]).mul(dy).sum([0, 1, 2]));
    }
    const dw = tf.stack(taps).reshape([k, k, c, 1]);
    return [dx, dw];
  };
  return { value, gradFunc };
});

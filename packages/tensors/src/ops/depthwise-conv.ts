import * as tf from '@tensorflow/tfjs';
import { defineCustomGrad } from './custom-grad';
import { OpArgumentError } from './errors';

/**
 * Depthwise `k × k` convolution, stride 1, `'same'` zero padding (PyTorch
 * `Conv2d(C, C, k, padding=(k−1)/2, groups=C)`), with its own gradient built from forward depthwise
 * convolutions only (wasm has neither depthwise backprop kernel): the input gradient is the
 * depthwise convolution of `dy` with the flipped filter; the filter gradient is one depthwise
 * convolution of the padded input laid out as `[1, H+k−1, W+k−1, N·C]` with `dy` as a
 * `[H, W, N·C, 1]` filter, summed over the batch.
 *
 * @param x NHWC input.
 * @param weight `[k, k, C, 1]` (PyTorch `[C, 1, k, k]` transposed), `k` odd.
 * @param bias `[C]`.
 */
export function depthwiseConv2d(x: tf.Tensor4D, weight: tf.Tensor4D, bias?: tf.Tensor1D): tf.Tensor4D {
  const [k, kw, c, m] = weight.shape;
  if (weight.rank !== 4 || k !== kw || k % 2 === 0 || m !== 1) {
    throw new OpArgumentError(`depthwiseConv2d: needs an odd square [k, k, C, 1] filter, got [${weight.shape}]`);
  }
  if (x.rank !== 4) throw new OpArgumentError(`depthwiseConv2d: input must be NHWC (rank 4), got shape [${x.shape}]`);
  if (x.shape[3] !== c) throw new OpArgumentError(`depthwiseConv2d: input has ${x.shape[3]} channels, filter [${weight.shape}] has ${c}`);
  if (bias && (bias.rank !== 1 || bias.shape[0] !== c)) throw new OpArgumentError(`depthwiseConv2d: bias must be [${c}], got [${bias.shape}]`);
  const y = depthwiseSame(x, weight);
  return bias ? tf.tidy(() => y.add(bias)) : y;
}

const depthwiseSame = defineCustomGrad<[tf.Tensor4D, tf.Tensor4D], tf.Tensor4D>((x, w, save) => {
  save([x, w]);
  const value = tf.depthwiseConv2d(x, w, 1, 'same');
  const gradFunc = (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
    const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
    const dx = tf.depthwiseConv2d(dy, tf.reverse(ws, [0, 1]) as tf.Tensor4D, 1, 'same');
    return [dx, depthwiseFilterGrad(xs, dy, ws.shape[0])];
  };
  return { value, gradFunc };
});

/**
 * `dw[i, j, c] = Σ_{n,y,x} xp[n, y+i, x+j, c] · dy[n, y, x, c]` (xp: x zero-padded by `(k−1)/2`),
 * as one 'valid' depthwise convolution with batch and channels merged into `N·C` channels.
 */
function depthwiseFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, k: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const q = (k - 1) / 2;
  const xt = x.transpose([1, 2, 0, 3]).reshape([1, h, w, n * c]) as tf.Tensor4D;
  const ft = dy.transpose([1, 2, 0, 3]).reshape([h, w, n * c, 1]) as tf.Tensor4D;
  const perSample = tf.depthwiseConv2d(xt, ft, 1, [[0, 0], [q, q], [q, q], [0, 0]]); // [1, k, k, N·C]
  return (n === 1 ? perSample : perSample.reshape([k, k, n, c]).sum(2)).reshape([k, k, c, 1]) as tf.Tensor4D;
}

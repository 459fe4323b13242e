import * as tf from '@tensorflow/tfjs';
import { convOutputSize, padSpatial } from './pad';

/** Padding of a stride-1 convolution: `'same'` (odd kernels), `'valid'`, or PyTorch's `padding=q`. */
export type ConvPadding = 'same' | 'valid' | number;

/**
 * Stride-1 dense convolution as im2col + matrix product (the 3×3 `initial_conv` of MMEarth's stem,
 * the U-Net decoder convs, 1×1 projections). Exact, and differentiable on every backend.
 *
 * @param x NHWC input.
 * @param weight HWIO filter `[kh, kw, Cin, Cout]`.
 * @param bias `[Cout]`.
 */
export function conv2d(x: tf.Tensor4D, weight: tf.Tensor4D, bias?: tf.Tensor1D, padding: ConvPadding = 'same'): tf.Tensor4D {
  const [kh, kw, cin, cout] = weight.shape;
  if (x.shape[3] !== cin) throw new RangeError(`conv2d: input has ${x.shape[3]} channels, filter expects ${cin}`);
  const q = padding === 'same' ? (kh - 1) / 2 : padding === 'valid' ? 0 : padding;
  if (padding === 'same' && (kh % 2 === 0 || kh !== kw)) throw new RangeError(`conv2d: 'same' needs an odd square kernel, got ${kh}×${kw}`);
  return tf.tidy(() => {
    const xp = padSpatial(x, q);
    const [n] = x.shape;
    const oh = convOutputSize(x.shape[1], kh, 1, q);
    const ow = convOutputSize(x.shape[2], kw, 1, q);
    if (oh < 1 || ow < 1) throw new RangeError(`conv2d: input ${x.shape[1]}×${x.shape[2]} is smaller than the ${kh}×${kw} kernel`);
    let cols: tf.Tensor;
    if (kh === 1 && kw === 1) {
      cols = xp;
    } else {
      const slices: tf.Tensor[] = [];
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) slices.push(xp.slice([0, i, j, 0], [n, oh, ow, cin]));
      }
      cols = tf.concat(slices, 3); // [n, oh, ow, kh*kw*cin] in (i, j, c) order = HWIO flattening
    }
    const a = cols.reshape([n * oh * ow, kh * kw * cin]) as tf.Tensor2D;
    const b = weight.reshape([kh * kw * cin, cout]) as tf.Tensor2D;
    const y = bias ? tf.fused.matMul({ a, b, bias }) : tf.matMul(a, b);
    return y.reshape([n, oh, ow, cout]);
  });
}

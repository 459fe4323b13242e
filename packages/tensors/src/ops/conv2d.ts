import * as tf from '@tensorflow/tfjs';
import { matMul2d } from './matmul';
import { defineCustomGrad } from './custom-grad';
import { OpArgumentError } from './errors';
import { convOutputSize } from './pad';

/** Padding of a stride-1 convolution: `'same'` (odd kernels), `'valid'`, or PyTorch's `padding=q`. */
export type ConvPadding = 'same' | 'valid' | number;

/**
 * Stride-1 dense convolution (the 3×3 `initial_conv` of MMEarth's stem, the U-Net decoder convs,
 * 1×1 projections), differentiable on every backend. The forward pass is the backend's own
 * convolution; the gradient is built from forward convolutions only (wasm has no
 * Conv2DBackpropFilter): the input gradient is the convolution of the padded `dy` with the
 * flipped filter, the filter gradient one convolution of the input with `dy` as the filter, with
 * batch and channels swapped. A 1×1 kernel without padding is a plain matrix product.
 *
 * @param x NHWC input.
 * @param weight HWIO filter `[kh, kw, Cin, Cout]` (PyTorch `[Cout, Cin, kh, kw]` transposed).
 * @param bias `[Cout]`.
 * @param padding `'same'` (odd square kernels: PyTorch `padding=(k−1)/2`), `'valid'` (0), or a
 *   number of zero pixels on every side (PyTorch `padding=q`).
 */
export function conv2d(x: tf.Tensor4D, weight: tf.Tensor4D, bias?: tf.Tensor1D, padding: ConvPadding = 'same'): tf.Tensor4D {
  const [kh, kw, cin, cout] = weight.shape;
  if (x.rank !== 4) throw new OpArgumentError(`conv2d: input must be NHWC (rank 4), got shape [${x.shape}]`);
  if (x.shape[3] !== cin) throw new OpArgumentError(`conv2d: input has ${x.shape[3]} channels, filter [${weight.shape}] expects ${cin}`);
  if (padding === 'same' && (kh % 2 === 0 || kh !== kw)) {
    throw new OpArgumentError(`conv2d: 'same' needs an odd square kernel, got ${kh}×${kw}; pass a numeric padding instead`);
  }
  if (typeof padding === 'number' && !(Number.isInteger(padding) && padding >= 0)) {
    throw new OpArgumentError(`conv2d: padding must be 'same', 'valid' or a non-negative integer, got ${padding}`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== cout)) throw new OpArgumentError(`conv2d: bias must be [${cout}], got [${bias.shape}]`);
  const q = padding === 'same' ? (kh - 1) / 2 : padding === 'valid' ? 0 : padding;
  const oh = convOutputSize(x.shape[1], kh, 1, q);
  const ow = convOutputSize(x.shape[2], kw, 1, q);
  if (oh < 1 || ow < 1) {
    throw new OpArgumentError(`conv2d: input ${x.shape[1]}×${x.shape[2]} with padding ${q} is smaller than the ${kh}×${kw} kernel`);
  }
  return tf.tidy(() => {
    let y: tf.Tensor4D;
    if (kh === 1 && kw === 1 && q === 0) {
      const [n, h, w] = x.shape;
      y = matMul2d(x.reshape([n * h * w, cin]) as tf.Tensor2D, weight.reshape([cin, cout]) as tf.Tensor2D).reshape([n, h, w, cout]);
    } else {
      y = convOp(q)(x, weight);
    }
    return bias ? (y.add(bias) as tf.Tensor4D) : y;
  });
}

const convOps = new Map<number, (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D>();

/** The differentiable stride-1 convolution with `q` pixels of zero padding (one op per `q`, cached). */
function convOp(q: number): (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D {
  let op = convOps.get(q);
  if (!op) {
    op = defineCustomGrad<[tf.Tensor4D, tf.Tensor4D], tf.Tensor4D>((x, w, save) => {
      save([x, w]);
      const value = tf.conv2d(x, w, 1, spatialPadding(q, q));
      const gradFunc = (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        return [convInputGrad(dy, ws, q), convFilterGrad(xs, dy, q)];
      };
      return { value, gradFunc };
    });
    convOps.set(q, op);
  }
  return op;
}

/**
 * `∂L/∂x` of a stride-1 convolution with padding `q`: the full correlation of `dy` with the
 * spatially flipped filter whose in/out channels are swapped, i.e. a 'valid' convolution of `dy`
 * padded by `k−1−q` (cropped where that is negative).
 */
function convInputGrad(dy: tf.Tensor4D, w: tf.Tensor4D, q: number): tf.Tensor4D {
  const [kh, kw] = w.shape;
  const flipped = tf.reverse(w, [0, 1]).transpose([0, 1, 3, 2]) as tf.Tensor4D;
  const ph = kh - 1 - q;
  const pw = kw - 1 - q;
  return tf.conv2d(cropSpatial(dy, Math.max(0, -ph), Math.max(0, -pw)), flipped, 1, spatialPadding(Math.max(0, ph), Math.max(0, pw)));
}

/**
 * `∂L/∂w` of a stride-1 convolution with padding `q`: `dw[i,j,c,o] = Σ_{n,y,x} xp[n,y+i,x+j,c]·dy[n,y,x,o]`
 * (xp: x zero-padded by q), computed as one convolution, padded by q, of the input seen as
 * `[Cin, H, W, N]` (channels as batch, batch as channels) with `dy` seen as a `[oh, ow, N, Cout]`
 * filter; its `[Cin, kh, kw, Cout]` output is transposed to HWIO.
 */
function convFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, q: number): tf.Tensor4D {
  const xt = x.transpose([3, 1, 2, 0]) as tf.Tensor4D;
  const ft = dy.transpose([1, 2, 0, 3]) as tf.Tensor4D;
  return tf.conv2d(xt, ft, 1, spatialPadding(q, q)).transpose([1, 2, 0, 3]) as tf.Tensor4D;
}

/** Explicit NHWC padding of `ph` rows and `pw` columns on each side (`'valid'` when both are 0). */
function spatialPadding(ph: number, pw: number): 'valid' | [[0, 0], [number, number], [number, number], [0, 0]] {
  return ph === 0 && pw === 0 ? 'valid' : [[0, 0], [ph, ph], [pw, pw], [0, 0]];
}

/** Drop `ch` rows and `cw` columns on each side. */
function cropSpatial(x: tf.Tensor4D, ch: number, cw: number): tf.Tensor4D {
  if (ch === 0 && cw === 0) return x;
  const [n, h, w, c] = x.shape;
  return x.slice([0, ch, cw, 0], [n, h - 2 * ch, w - 2 * cw, c]);
}

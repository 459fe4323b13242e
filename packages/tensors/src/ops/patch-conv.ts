import * as tf from '@tensorflow/tfjs';
import { convOutputSize, padSpatial } from './pad';
import { patchify } from './patchify';
import { matMul2d } from './matmul';
import { OpArgumentError } from './errors';

/**
 * Non-overlapping convolution (kernel = stride = `k`) as a matrix product: the ConvNeXt stem and
 * downsampling layers and the ViT patch embedding. Exact, and differentiable on every backend
 * (wasm has no Conv2DBackpropFilter).
 *
 * @param x NHWC input.
 * @param weight HWIO filter `[k, k, Cin, Cout]` (PyTorch `[Cout, Cin, k, k]` transposed).
 * @param bias `[Cout]`.
 * @param padding zero padding on every side, as PyTorch's `padding=` (the output size follows
 *   PyTorch: `floor((H + 2q − k) / k) + 1`; trailing rows that do not fill a window are dropped).
 */
export function patchConv2d(x: tf.Tensor4D, weight: tf.Tensor4D, bias?: tf.Tensor1D, padding = 0): tf.Tensor4D {
  const [kh, kw, cin, cout] = weight.shape;
  if (kh !== kw) throw new OpArgumentError(`patchConv2d: square kernels only, got ${kh}×${kw}`);
  if (x.rank !== 4) throw new OpArgumentError(`patchConv2d: input must be NHWC (rank 4), got shape [${x.shape}]`);
  if (x.shape[3] !== cin) throw new OpArgumentError(`patchConv2d: input has ${x.shape[3]} channels, filter [${weight.shape}] expects ${cin}`);
  if (bias && (bias.rank !== 1 || bias.shape[0] !== cout)) throw new OpArgumentError(`patchConv2d: bias must be [${cout}], got [${bias.shape}]`);
  checkPadding('patchConv2d', padding);
  const k = kh;
  return tf.tidy(() => {
    const cropped = cropToWindows(padSpatial(x, padding), k, padding, x.shape);
    const [n, hh, ww] = cropped.shape;
    const h = hh / k;
    const w = ww / k;
    const patches = k === 1 ? cropped.reshape([n * h * w, cin]) : patchify(cropped, k).reshape([n * h * w, k * k * cin]);
    const mat = weight.reshape([k * k * cin, cout]) as tf.Tensor2D;
    const y = matMul2d(patches as tf.Tensor2D, mat, bias);
    return y.reshape([n, h, w, cout]);
  });
}

/**
 * Non-overlapping depthwise convolution (kernel = stride = `k`, one filter per channel), MMEarth's
 * modified stem. Weight `[k, k, C, 1]` (PyTorch `[C, 1, k, k]` transposed).
 */
export function depthwisePatchConv2d(x: tf.Tensor4D, weight: tf.Tensor4D, bias?: tf.Tensor1D, padding = 0): tf.Tensor4D {
  const [k, kw, c, m] = weight.shape;
  if (weight.rank !== 4 || k !== kw || m !== 1) throw new OpArgumentError(`depthwisePatchConv2d: needs a square [k, k, C, 1] filter, got [${weight.shape}]`);
  if (x.rank !== 4) throw new OpArgumentError(`depthwisePatchConv2d: input must be NHWC (rank 4), got shape [${x.shape}]`);
  if (x.shape[3] !== c) throw new OpArgumentError(`depthwisePatchConv2d: input has ${x.shape[3]} channels, filter [${weight.shape}] has ${c}`);
  if (bias && (bias.rank !== 1 || bias.shape[0] !== c)) throw new OpArgumentError(`depthwisePatchConv2d: bias must be [${c}], got [${bias.shape}]`);
  checkPadding('depthwisePatchConv2d', padding);
  return tf.tidy(() => {
    const cropped = cropToWindows(padSpatial(x, padding), k, padding, x.shape);
    const [n, hh, ww] = cropped.shape;
    const h = hh / k;
    const w = ww / k;
    let y: tf.Tensor;
    if (k === 1) {
      y = cropped.mul(weight.reshape([1, 1, 1, c]));
    } else {
      const windows = cropped.reshape([n, h, k, w, k, c]);
      y = windows.mul(weight.reshape([1, 1, k, 1, k, c])).sum([2, 4]);
    }
    if (bias) y = y.add(bias);
    return y as tf.Tensor4D;
  });
}

function cropToWindows(x: tf.Tensor4D, k: number, padding: number, original: readonly number[]): tf.Tensor4D {
  const oh = convOutputSize(original[1] as number, k, k, padding);
  const ow = convOutputSize(original[2] as number, k, k, padding);
  if (oh < 1 || ow < 1) throw new OpArgumentError(`patch convolution: input ${original[1]}×${original[2]} with padding ${padding} is smaller than the ${k}×${k} window`);
  if (x.shape[1] === oh * k && x.shape[2] === ow * k) return x;
  return x.slice([0, 0, 0, 0], [-1, oh * k, ow * k, -1]);
}

function checkPadding(op: string, padding: number): void {
  if (!(Number.isInteger(padding) && padding >= 0)) throw new OpArgumentError(`${op}: padding must be a non-negative integer, got ${padding}`);
}

import * as tf from '@tensorflow/tfjs';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { LayoutError } from './errors';
import {
  convWeightToHwio,
  denseToLinearWeight,
  depthwiseWeightToTf,
  hwioToConvWeight,
  linearWeightToDense,
  matrixToPatchEmbedWeight,
  nchwToNhwc,
  nhwcToNchw,
  patchEmbedWeightToMatrix,
  tfToDepthwiseWeight,
} from './layout';

function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1);
}

/** PyTorch Conv2d (NCHW, weight [O, I/groups, kh, kw], no padding) computed naively. */
function torchConv(x: Float32Array, [n, c, h, w]: number[], wt: Float32Array, [o, ig, kh, kw]: number[], stride: number, groups: number): Float32Array {
  const oh = Math.floor((h - kh) / stride) + 1;
  const ow = Math.floor((w - kw) / stride) + 1;
  const out = new Float32Array(n * o * oh * ow);
  const opg = o / groups;
  for (let b = 0; b < n; b++)
    for (let oc = 0; oc < o; oc++)
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++) {
          let acc = 0;
          const g = Math.floor(oc / opg);
          for (let i = 0; i < ig; i++)
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++) {
                const ic = g * ig + i;
                acc += x[((b * c + ic) * h + y * stride + u) * w + xx * stride + v]! * wt[((oc * ig + i) * kh + u) * kw + v]!;
              }
          out[((b * o + oc) * oh + y) * ow + xx] = acc;
        }
  return out;
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>): void => {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  expect(max).toBeLessThan(1e-5);
};

for (const backend of testBackends()) {
  describe(`PyTorch <-> TF.js layouts (${backend})`, () => {
    beforeAll(() => useBackend(backend));

    it('round-trips every converter exactly', () => {
      const before = tf.memory().numTensors;
      const x4 = tf.tensor(values(2 * 3 * 4 * 5, 1), [2, 3, 4, 5]);
      const pairs: [(t: tf.Tensor) => tf.Tensor, (t: tf.Tensor) => tf.Tensor, tf.Tensor][] = [
        [nchwToNhwc, nhwcToNchw, x4],
        [convWeightToHwio, hwioToConvWeight, x4],
        [(t) => depthwiseWeightToTf(t, 2), tfToDepthwiseWeight, tf.tensor(values(6 * 3 * 3, 2), [6, 1, 3, 3])],
        [linearWeightToDense, denseToLinearWeight, tf.tensor(values(12, 3), [3, 4])],
        [patchEmbedWeightToMatrix, (m) => matrixToPatchEmbedWeight(m, 2), tf.tensor(values(5 * 3 * 2 * 2, 4), [5, 3, 2, 2])],
      ];
      for (const [to, from, t] of pairs) {
        const there = to(t);
        const back = from(there);
        expect(back.shape).toEqual(t.shape);
        expect(Array.from(back.dataSync())).toEqual(Array.from(t.dataSync()));
        tf.dispose([there, back]);
      }
      const inverse = [nhwcToNchw(x4), hwioToConvWeight(x4)];
      const shapes = inverse.map((t) => t.shape);
      expect(shapes).toEqual([[2, 5, 3, 4], [5, 4, 2, 3]]);
      tf.dispose(inverse);
      tf.dispose(pairs.map((p) => p[2]));
      expect(tf.memory().numTensors).toBe(before);
    });

    it('conv weights: tf.conv2d on NHWC equals PyTorch Conv2d on NCHW', () => {
      const xs = [1, 3, 6, 5];
      const ws = [4, 3, 3, 2];
      const x = values(xs.reduce((a, b) => a * b), 5);
      const w = values(ws.reduce((a, b) => a * b), 6);
      const want = torchConv(x, xs, w, ws, 1, 1);
      const got = tf.tidy(() => nhwcToNchw(tf.conv2d(nchwToNhwc(tf.tensor(x, xs)) as tf.Tensor4D, convWeightToHwio(tf.tensor(w, ws)), 1, 'valid')).dataSync());
      close(got, want);
    });

    it('depthwise weights (with channel multiplier): tf.depthwiseConv2d equals PyTorch groups=C', () => {
      const xs = [1, 3, 5, 5];
      const ws = [6, 1, 3, 3]; // C = 3, multiplier 2
      const x = values(xs.reduce((a, b) => a * b), 7);
      const w = values(ws.reduce((a, b) => a * b), 8);
      const want = torchConv(x, xs, w, ws, 1, 3);
      const got = tf.tidy(() =>
        nhwcToNchw(tf.depthwiseConv2d(nchwToNhwc(tf.tensor(x, xs)), depthwiseWeightToTf(tf.tensor(w, ws), 2), 1, 'valid')).dataSync(),
      );
      close(got, want);
    });

    it('linear weights: x @ dense equals x @ W^T', () => {
      const w = values(12, 9);
      const x = values(8, 10);
      const got = tf.tidy(() => tf.matMul(tf.tensor(x, [2, 4]), linearWeightToDense(tf.tensor(w, [3, 4]))).dataSync());
      const want = new Float32Array(6);
      for (let i = 0; i < 2; i++) for (let o = 0; o < 3; o++) for (let k = 0; k < 4; k++) want[i * 3 + o]! += x[i * 4 + k]! * w[o * 4 + k]!;
      close(got, want);
    });

    it('MAE patch embedding: patchify(x) @ matrix equals the stride-p convolution', () => {
      const [n, c, h, wd, p, d] = [2, 3, 4, 6, 2, 5];
      const x = values(n * c * h * wd, 11);
      const w = values(d * c * p * p, 12);
      const want = torchConv(x, [n, c, h, wd], w, [d, c, p, p], p, 1); // [N, D, h/p, w/p]
      const got = tf.tidy(() => {
        const nhwc = nchwToNhwc(tf.tensor(x, [n, c, h, wd]));
        const patches = nhwc
          .reshape([n, h / p, p, wd / p, p, c])
          .transpose([0, 1, 3, 2, 4, 5])
          .reshape([n, (h / p) * (wd / p), p * p * c]);
        const tokens = tf.matMul(patches.reshape([-1, p * p * c]), patchEmbedWeightToMatrix(tf.tensor(w, [d, c, p, p])));
        // tokens [N*L, D] -> [N, D, h/p, w/p] to compare with the PyTorch output.
        return tokens.reshape([n, h / p, wd / p, d]).transpose([0, 3, 1, 2]).dataSync();
      });
      close(got, want);
    });

    it('rejects wrong ranks and shapes with the function name', () => {
      const t = tf.zeros([2, 3]);
      expect(() => nchwToNhwc(t)).toThrow(LayoutError);
      expect(() => convWeightToHwio(t)).toThrow(/convWeightToHwio: expected a rank-4 tensor \[out, in, kh, kw\]; got shape \[2, 3\]/);
      const dw = tf.zeros([4, 2, 3, 3]);
      expect(() => depthwiseWeightToTf(dw)).toThrow(/depthwiseWeightToTf: a depthwise weight is \[C\*m, 1, kh, kw\]/);
      const m = tf.zeros([10, 4]);
      expect(() => matrixToPatchEmbedWeight(m, 2)).toThrow(/10 rows is not p\*p\*C for patch size 2/);
      tf.dispose([t, dw, m]);
    });
  });
}

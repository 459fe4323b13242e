import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { testBackends } from '@terramae/testing';
import { depthwiseConv2d } from '../ops/depthwise-conv';
import { conv2d } from '../ops/conv2d';
import { patchify } from '../ops/patchify';
import { expectClose, numericSuite, randomArray, refConv2d } from '../testing-utils/index';
import { ModuleError } from './errors';
import { type TorchLayout, fromTorchLayout, toTorchLayout, torchShapeOf } from './torch-layout';

/** PyTorch Conv2d (NCHW input, [out, in, kh, kw] weight, stride s, no padding) in float64, output NHWC. */
function torchConv(x: Float32Array, [n, c, h, w]: number[], wt: Float32Array, [o, ci, kh, kw]: number[], s: number, groups = 1): Float64Array {
  const [oh, ow] = [Math.floor((h! - kh!) / s) + 1, Math.floor((w! - kw!) / s) + 1];
  const out = new Float64Array(n! * oh * ow * o!);
  const perGroupOut = o! / groups;
  for (let b = 0; b < n!; b++)
    for (let oc = 0; oc < o!; oc++)
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++) {
          let sum = 0;
          const g = Math.floor(oc / perGroupOut);
          for (let ic = 0; ic < ci!; ic++)
            for (let i = 0; i < kh!; i++)
              for (let j = 0; j < kw!; j++) {
                const inC = g * ci! + ic;
                sum += x[((b * c! + inC) * h! + y * s + i) * w! + xx * s + j]! * wt[((oc * ci! + ic) * kh! + i) * kw! + j]!;
              }
          out[((b * oh + y) * ow + xx) * o! + oc] = sum;
        }
  return out;
}

for (const backend of testBackends()) {
  describe(`torch layouts on ${backend}`, () => {
    numericSuite(backend);

    it('torchShapeOf gives the PyTorch shape of every layout', () => {
      expect(torchShapeOf([1, 1, 1, 8], 'same')).toEqual([1, 1, 1, 8]);
      expect(torchShapeOf([4, 3], 'linear')).toEqual([3, 4]);
      expect(torchShapeOf([3, 2, 4, 5], 'conv')).toEqual([5, 4, 3, 2]);
      expect(torchShapeOf([7, 7, 40, 1], 'depthwise')).toEqual([40, 1, 7, 7]);
      expect(torchShapeOf([16 * 16 * 3, 768], 'patch-linear', 3)).toEqual([768, 3, 16, 16]);
      expect(() => torchShapeOf([12, 4], 'patch-linear')).toThrow(ModuleError);
      expect(() => torchShapeOf([12, 4], 'patch-linear', 2)).toThrow(/pass torchChannels/);
    });

    it('each conversion round-trips, and from∘to is the identity for every layout', () => {
      const cases: [TorchLayout, number[]][] = [
        ['same', [2, 3]],
        ['linear', [3, 4]],
        ['conv', [5, 4, 3, 2]],
        ['depthwise', [6, 1, 3, 3]],
        ['patch-linear', [5, 3, 2, 2]],
      ];
      for (const [layout, shape] of cases) {
        const t = tf.tensor(randomArray(shape.reduce((a, d) => a * d), 1), shape);
        const tfv = fromTorchLayout(t, layout);
        expect(torchShapeOf(tfv.shape, layout, shape[1])).toEqual(shape);
        const back = toTorchLayout(tfv, layout, shape);
        expect(back.shape).toEqual(shape);
        expectClose(back.dataSync(), t.dataSync(), 0, layout);
        tf.dispose([t, tfv, back]);
      }
    });

    it('converted weights compute what PyTorch computes: conv, depthwise and patch-linear', () => {
      const [n, c, h, w] = [2, 3, 6, 4];
      const xNchw = randomArray(n * c * h * w, 2);
      const x = tf.tidy(() => tf.tensor4d(xNchw, [n, c, h, w]).transpose([0, 2, 3, 1]) as tf.Tensor4D);
      // Conv2d(3, 5, 3): valid convolution.
      const convW = randomArray(5 * 3 * 3 * 3, 3);
      const convT = tf.tensor4d(convW, [5, 3, 3, 3]);
      tf.tidy(() => {
        const y = conv2d(x, fromTorchLayout(convT, 'conv') as tf.Tensor4D, undefined, 'valid');
        expectClose(y.dataSync(), torchConv(xNchw, [n, c, h, w], convW, [5, 3, 3, 3], 1), 1e-5, 'conv');
      });
      // Depthwise Conv2d(3, 3, 3, padding=1, groups=3): compare with the padding-free reference on the interior.
      const dwW = randomArray(3 * 1 * 3 * 3, 4);
      const dwT = tf.tensor4d(dwW, [3, 1, 3, 3]);
      tf.tidy(() => {
        const y = depthwiseConv2d(x, fromTorchLayout(dwT, 'depthwise') as tf.Tensor4D).slice([0, 1, 1, 0], [n, h - 2, w - 2, c]);
        expectClose(y.dataSync(), torchConv(xNchw, [n, c, h, w], dwW, [3, 1, 3, 3], 1, 3), 1e-5, 'depthwise');
      });
      // MAE patch_embed.proj: Conv2d(3, 5, kernel = stride = 2) as a matrix over patchified input.
      const peW = randomArray(5 * 3 * 2 * 2, 5);
      const peT = tf.tensor4d(peW, [5, 3, 2, 2]);
      tf.tidy(() => {
        const y = tf.matMul(patchify(x, 2).reshape([n * 3 * 2, 12]), fromTorchLayout(peT, 'patch-linear') as tf.Tensor2D);
        expectClose(y.dataSync(), torchConv(xNchw, [n, c, h, w], peW, [5, 3, 2, 2], 2), 1e-5, 'patch-linear');
        // And the HWIO conv of the same weight, by the generic reference.
        const hwio = fromTorchLayout(peT, 'conv');
        expectClose(y.dataSync(), refConv2d(x.dataSync(), hwio.dataSync(), { x: [n, h, w, c], w: [2, 2, 3, 5], stride: 2 }), 1e-5, 'patch-linear vs HWIO');
      });
      tf.dispose([x, convT, dwT, peT]);
    });

    it('names the problem when a tensor does not fit its layout', () => {
      tf.tidy(() => {
        expect(() => toTorchLayout(tf.zeros([12, 4]), 'patch-linear')).toThrow(ModuleError);
        expect(() => toTorchLayout(tf.zeros([12, 4]), 'patch-linear')).toThrow(/needs the PyTorch shape \[D, C, p, p\]/);
        expect(() => fromTorchLayout(tf.zeros([3, 4, 5]), 'linear')).toThrow(/rank-2/);
      });
    });
  });
}

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { testBackends } from '@terramae/testing';
import { checkGradients, expectClose, numericSuite, randomArray, referenceGradients, valueAndGrads } from '../testing-utils/index';
import { OpArgumentError } from './errors';
import { layerNorm } from './layer-norm';

/** Float64 LayerNorm over the last axis (biased variance, as PyTorch). */
function refLayerNorm([x, g, b]: ArrayLike<number>[], c: number, eps: number): Float64Array {
  const y = new Float64Array(x!.length);
  for (let r = 0; r < x!.length / c; r++) {
    let m = 0;
    for (let i = 0; i < c; i++) m += x![r * c + i]!;
    m /= c;
    let v = 0;
    for (let i = 0; i < c; i++) v += (x![r * c + i]! - m) ** 2;
    v /= c;
    for (let i = 0; i < c; i++) y[r * c + i] = ((x![r * c + i]! - m) / Math.sqrt(v + eps)) * g![i]! + b![i]!;
  }
  return y;
}

for (const backend of testBackends()) {
  describe(`layerNorm on ${backend}`, () => {
    numericSuite(backend);

    for (const [shape, eps, offset] of [
      [[2, 3, 5], 1e-6, 0],
      [[1, 3, 2, 8], 1e-6, 10], // NHWC map, large mean: ConvNeXt's channels-first LN
      [[4, 6], 1e-5, -3],
    ] as const) {
      it(`[${shape}] eps ${eps}: values and gradients (x, gamma, beta) equal a float64 reference`, () => {
        const c = shape[shape.length - 1] as number;
        const n = shape.reduce((a: number, d: number) => a * d, 1);
        const xs = randomArray(n, 1, 1, offset);
        const gs = randomArray(c, 2, 0.2, 1);
        const bs = randomArray(c, 3, 0.2);
        const dys = randomArray(n, 4);
        const x = tf.tensor(xs, [...shape]);
        const g = tf.tensor1d(gs);
        const b = tf.tensor1d(bs);
        const dy = tf.tensor(dys, [...shape]);
        const [y, dx, dg, db] = valueAndGrads((a, gg, bb) => layerNorm(a, gg as tf.Tensor1D, bb as tf.Tensor1D, eps), [x, g, b], dy);
        const ref = (inputs: ArrayLike<number>[]) => refLayerNorm(inputs, c, eps);
        const [rdx, rdg, rdb] = referenceGradients(ref, [xs, gs, bs], dys);
        expectClose(y as Float64Array, ref([xs, gs, bs]), 2e-6, 'y');
        expectClose(dx as Float64Array, rdx as Float64Array, 5e-5, 'dx');
        expectClose(dg as Float64Array, rdg as Float64Array, 1e-5, 'dgamma');
        expectClose(db as Float64Array, rdb as Float64Array, 1e-5, 'dbeta');
        tf.dispose([x, g, b, dy]);
      });
    }

    it('uses the eps it is given (a row of variance 1e-6 separates 1e-6 from the tfjs-layers default 1e-3)', () => {
      const row = Array.from(Float32Array.from([1, 1.001, 0.999, 1.0005, 0.9995, 1]));
      const x = tf.tensor2d([row]);
      const g = tf.ones([6]) as tf.Tensor1D;
      const b = tf.zeros([6]) as tf.Tensor1D;
      for (const eps of [1e-6, 1e-3]) {
        const y = tf.tidy(() => layerNorm(x, g, b, eps).dataSync());
        // float32 cancellation in x − mean costs ~1e-4 here; the two eps give results ~30× apart.
        expectClose(y, refLayerNorm([row, Array(6).fill(1), Array(6).fill(0)], 6, eps), 1e-3, `eps ${eps}`);
      }
      tf.dispose([x, g, b]);
    });

    it('passes a finite-difference check', () => {
      const x = tf.tensor3d(randomArray(2 * 3 * 6, 9), [2, 3, 6]);
      const g = tf.tensor1d(randomArray(6, 10, 0.3, 1));
      const b = tf.tensor1d(randomArray(6, 11, 0.3));
      checkGradients((a, gg, bb) => layerNorm(a, gg as tf.Tensor1D, bb as tf.Tensor1D, 1e-6), [x, g, b], { tolerance: 1e-3 });
      tf.dispose([x, g, b]);
    });

    it('rejects gamma or beta of the wrong length', () => {
      tf.tidy(() => {
        const x = tf.zeros([2, 4]);
        expect(() => layerNorm(x, tf.ones([3]) as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D, 1e-6)).toThrow(OpArgumentError);
        expect(() => layerNorm(x, tf.ones([4]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D, 1e-6)).toThrow(/beta has 3/);
      });
    });
  });
}

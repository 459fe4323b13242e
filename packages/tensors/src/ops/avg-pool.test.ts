import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { testBackends } from '@terramae/testing';
import { checkGradients, expectClose, numericSuite, randomArray, valueAndGrads } from '../testing-utils/index';
import { avgPoolExcludePad } from './avg-pool';
import { OpArgumentError } from './errors';

/** PyTorch avg_pool2d(k, stride 1, padding (k−1)/2, count_include_pad=False) in float64, and its adjoint. */
function refAvgPool(x: ArrayLike<number>, [n, h, w, c]: number[], k: number, dy: ArrayLike<number>) {
  const q = (k - 1) / 2;
  const y = new Float64Array(x.length);
  const dx = new Float64Array(x.length);
  for (let b = 0; b < n!; b++)
    for (let i = 0; i < h!; i++)
      for (let j = 0; j < w!; j++) {
        const cells: number[] = [];
        for (let yy = Math.max(0, i - q); yy <= Math.min(h! - 1, i + q); yy++)
          for (let xx = Math.max(0, j - q); xx <= Math.min(w! - 1, j + q); xx++) cells.push((b * h! + yy) * w! + xx);
        for (let ch = 0; ch < c!; ch++) {
          const o = ((b * h! + i) * w! + j) * c! + ch;
          for (const cell of cells) {
            y[o] = y[o]! + (x[cell * c! + ch] as number) / cells.length;
            dx[cell * c! + ch] = dx[cell * c! + ch]! + (dy[o] as number) / cells.length;
          }
        }
      }
  return { y, dx };
}

for (const backend of testBackends()) {
  describe(`avgPoolExcludePad on ${backend}`, () => {
    numericSuite(backend);

    for (const [shape, k] of [
      [[2, 6, 7, 3], 3],
      [[1, 5, 6, 2], 9], // NeighborMAE's 9×9: every window overhangs the 5×6 image
      [[2, 12, 11, 1], 9],
      [[1, 3, 3, 2], 1],
    ] as const) {
      it(`k=${k} on [${shape}]: values and gradient equal a float64 reference`, () => {
        const n = shape.reduce((a: number, d: number) => a * d, 1);
        const xs = randomArray(n, 1);
        const dys = randomArray(n, 2);
        const x = tf.tensor4d(xs, [...shape]);
        const dy = tf.tensor4d(dys, [...shape]);
        const [y, dx] = valueAndGrads((a) => avgPoolExcludePad(a as tf.Tensor4D, k), [x], dy);
        const ref = refAvgPool(xs, [...shape], k, dys);
        expectClose(y as Float64Array, ref.y, 1e-6, 'y');
        expectClose(dx as Float64Array, ref.dx, 1e-6, 'dx');
        tf.dispose([x, dy]);
      });
    }

    it('averages ones to exactly one at the borders (padding is not counted)', () => {
      const x = tf.ones([1, 5, 4, 1]) as tf.Tensor4D;
      tf.tidy(() => {
        expect(Array.from(avgPoolExcludePad(x, 9).dataSync()).every((v) => Math.abs(v - 1) < 1e-6)).toBe(true);
      });
      x.dispose();
    });

    it('passes a finite-difference check', () => {
      const x = tf.tensor4d(randomArray(2 * 5 * 6 * 2, 3), [2, 5, 6, 2]);
      checkGradients((a) => avgPoolExcludePad(a as tf.Tensor4D, 3), [x], { step: 0.5, tolerance: 1e-5 });
      x.dispose();
    });

    // Only the values: tfjs-backend-cpu's AvgPoolGrad divides by k² even where its forward divided by
    // the in-image count (for all-ones dy on 3×3 its corner gradient is 4/9, the true one 25/36), so
    // the native gradient is not a valid reference for 'same' padding; ours matches the float64 adjoint above.
    it.runIf(backend === 'cpu')("equals tf.avgPool with 'same' padding (which excludes padding) on cpu", () => {
      const shape = [2, 7, 6, 3] as [number, number, number, number];
      const x = tf.tensor4d(randomArray(2 * 7 * 6 * 3, 4), shape);
      const dy = tf.tensor4d(randomArray(2 * 7 * 6 * 3, 5), shape);
      for (const k of [3, 5]) {
        const mine = valueAndGrads((a) => avgPoolExcludePad(a as tf.Tensor4D, k), [x], dy);
        const native = valueAndGrads((a) => tf.avgPool(a as tf.Tensor4D, k, 1, 'same'), [x], dy);
        expectClose(mine[0] as Float64Array, native[0] as Float64Array, 1e-6, `k=${k} y`);
      }
      tf.dispose([x, dy]);
    });

    it('rejects even or non-integer windows', () => {
      tf.tidy(() => {
        const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
        expect(() => avgPoolExcludePad(x, 4)).toThrow(OpArgumentError);
        expect(() => avgPoolExcludePad(x, 2.5)).toThrow(/positive odd integer, got 2.5/);
      });
    });
  });
}

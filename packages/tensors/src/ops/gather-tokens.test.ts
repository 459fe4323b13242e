import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { testBackends } from '@terramae/testing';
import { checkGradients, expectClose, numericSuite, randomArray, valueAndGrads } from '../testing-utils/index';
import { OpArgumentError } from './errors';
import { gatherRows, gatherTokens } from './gather-tokens';

/** `out[b, i, :] = x[b, ids[b, i], :]` and its adjoint (scatter-add), in float64. */
function refGather(x: Float32Array, ids: number[][], l: number, d: number, dy: Float32Array) {
  const b = ids.length;
  const k = (ids[0] as number[]).length;
  const y = new Float64Array(b * k * d);
  const dx = new Float64Array(b * l * d);
  for (let s = 0; s < b; s++) {
    for (let i = 0; i < k; i++) {
      const src = (ids[s] as number[])[i] as number;
      for (let e = 0; e < d; e++) {
        y[(s * k + i) * d + e] = x[(s * l + src) * d + e] as number;
        dx[(s * l + src) * d + e] = (dx[(s * l + src) * d + e] as number) + (dy[(s * k + i) * d + e] as number);
      }
    }
  }
  return { y, dx };
}

// Sample 0 picks token 3 three times, sample 1 picks token 0 twice: duplicates must accumulate.
const IDS = [
  [3, 0, 3, 5, 3],
  [0, 2, 0, 1, 4],
];

for (const backend of testBackends()) {
  describe(`gatherTokens / gatherRows on ${backend}`, () => {
    numericSuite(backend);

    it('gathers [B, L, D] tokens and scatters the gradient back, adding duplicates', () => {
      const [b, l, d] = [2, 6, 3];
      const xs = randomArray(b * l * d, 1);
      const dys = randomArray(b * IDS[0]!.length * d, 2);
      const x = tf.tensor3d(xs, [b, l, d]);
      const ids = tf.tensor2d(IDS, undefined, 'int32');
      const dy = tf.tensor3d(dys, [b, IDS[0]!.length, d]);
      const [y, dx] = valueAndGrads((a) => gatherTokens(a as tf.Tensor3D, ids), [x], dy);
      const ref = refGather(xs, IDS, l, d, dys);
      expectClose(y as Float64Array, ref.y, 0, 'y');
      expectClose(dx as Float64Array, ref.dx, 1e-6, 'dx');
      tf.dispose([x, ids, dy]);
    });

    it('handles [B, L] input (D = 1) and float ids', () => {
      const [b, l] = [2, 6];
      const xs = randomArray(b * l, 3);
      const dys = randomArray(b * IDS[0]!.length, 4);
      const x = tf.tensor2d(xs, [b, l]);
      const ids = tf.tensor2d(IDS, undefined, 'float32');
      const dy = tf.tensor2d(dys, [b, IDS[0]!.length]);
      expect(tf.tidy(() => gatherTokens(x, ids).shape)).toEqual([2, 5]);
      const [y, dx] = valueAndGrads((a) => gatherTokens(a as tf.Tensor2D, ids), [x], dy);
      const ref = refGather(xs, IDS, l, 1, dys);
      expectClose(y as Float64Array, ref.y, 0, 'y');
      expectClose(dx as Float64Array, ref.dx, 1e-6, 'dx');
      tf.dispose([x, ids, dy]);
    });

    it('gatherRows: value, scatter-add gradient (int32 and float ids) and a finite-difference check', () => {
      const xs = randomArray(5 * 4, 5);
      const x = tf.tensor2d(xs, [5, 4]);
      const rows = [4, 1, 1, 0, 1];
      for (const dtype of ['int32', 'float32'] as const) {
        const ids = tf.tensor1d(rows, dtype);
        const dy = tf.ones([5, 4]);
        const [y, dx] = valueAndGrads((a) => gatherRows(a as tf.Tensor2D, ids), [x], dy);
        expectClose(y as Float64Array, rows.flatMap((r) => Array.from(xs.slice(r * 4, r * 4 + 4))), 0, 'y');
        expect(Array.from(dx as Float64Array).filter((_, i) => i % 4 === 0)).toEqual([1, 3, 0, 0, 1]);
        tf.dispose([ids, dy]);
      }
      const ids = tf.tensor1d(rows, 'int32');
      checkGradients((a) => gatherRows(a as tf.Tensor2D, ids), [x], { step: 0.5, tolerance: 1e-5 });
      tf.dispose([x, ids]);
    });

    it('trains through gather on this backend (no UnsortedSegmentSum needed)', () => {
      const init = tf.tensor3d(randomArray(2 * 6 * 3, 6), [2, 6, 3]);
      const x = tf.variable(init);
      init.dispose();
      const ids = tf.tensor2d(IDS, undefined, 'int32');
      const { value, grads } = tf.variableGrads(() => gatherTokens(x, ids).square().sum() as tf.Scalar, [x]);
      const g = grads[x.name] as tf.Tensor;
      expect(g.shape).toEqual([2, 6, 3]);
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      tf.dispose([value, g, ids]);
      x.dispose();
    });

    it('rejects mismatched batches and ranks', () => {
      tf.tidy(() => {
        expect(() => gatherTokens(tf.zeros([2, 4, 3]) as tf.Tensor3D, tf.zeros([3, 2], 'int32') as tf.Tensor2D)).toThrow(OpArgumentError);
        expect(() => gatherTokens(tf.zeros([2, 4, 3]) as tf.Tensor3D, tf.zeros([3, 2], 'int32') as tf.Tensor2D)).toThrow(/batch of x is 2, of ids 3/);
        expect(() => gatherTokens(tf.zeros([2, 4, 3]) as tf.Tensor3D, tf.zeros([2], 'int32') as unknown as tf.Tensor2D)).toThrow(/ids must be \[B, K\]/);
        expect(() => gatherRows(tf.zeros([2, 4, 3]) as unknown as tf.Tensor2D, tf.zeros([2], 'int32') as tf.Tensor1D)).toThrow(/x must be \[R, D\]/);
      });
    });
  });
}

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { testBackends } from '@terramae/testing';
import { checkGradients, expectClose, numericSuite, randomArray, refConv2d, refConv2dGrads, refConvOutShape, valueAndGrads } from '../testing-utils/index';
import { type ConvPadding, conv2d } from './conv2d';
import { OpArgumentError } from './errors';

interface Case {
  readonly name: string;
  readonly x: [number, number, number, number];
  readonly k: [number, number];
  readonly cout: number;
  readonly padding: ConvPadding;
  readonly bias: boolean;
}

const cases: Case[] = [
  { name: '3×3 same with bias', x: [2, 6, 5, 3], k: [3, 3], cout: 4, padding: 'same', bias: true },
  { name: '3×3 valid (MMEarth initial_conv)', x: [2, 7, 6, 3], k: [3, 3], cout: 2, padding: 'valid', bias: true },
  { name: '3×3 padding 2', x: [1, 5, 4, 2], k: [3, 3], cout: 3, padding: 2, bias: false },
  { name: '5×5 same', x: [1, 6, 6, 2], k: [5, 5], cout: 2, padding: 'same', bias: false },
  { name: '3×1 padding 1 (non-square)', x: [2, 5, 4, 2], k: [3, 1], cout: 3, padding: 1, bias: true },
  { name: '1×1 (matrix product path)', x: [2, 3, 4, 5], k: [1, 1], cout: 3, padding: 'same', bias: true },
  { name: '1×1 padding 1 (border of bias only)', x: [1, 3, 3, 2], k: [1, 1], cout: 2, padding: 1, bias: true },
  { name: '2×2 padding 3 (padding ≥ kernel)', x: [1, 3, 4, 2], k: [2, 2], cout: 2, padding: 3, bias: false },
];

const padOf = (c: Case) => (c.padding === 'same' ? (c.k[0] - 1) / 2 : c.padding === 'valid' ? 0 : c.padding);

function setup(c: Case, seed: number) {
  const w: [number, number, number, number] = [c.k[0], c.k[1], c.x[3], c.cout];
  const spec = { x: c.x, w, pad: padOf(c) };
  const xs = randomArray(c.x.reduce((a, d) => a * d), seed);
  const ws = randomArray(w.reduce((a, d) => a * d), seed + 1, 0.5);
  const bs = randomArray(c.cout, seed + 2, 0.3);
  const outShape = refConvOutShape(spec);
  const dys = randomArray(outShape.reduce((a, d) => a * d), seed + 3);
  return { spec, w, xs, ws, bs, outShape, dys };
}

for (const backend of testBackends()) {
  describe(`conv2d on ${backend}`, () => {
    numericSuite(backend);

    for (const c of cases) {
      it(`${c.name}: values and gradients equal a float64 reference`, () => {
        const { spec, w, xs, ws, bs, outShape, dys } = setup(c, 11);
        const x = tf.tensor4d(xs, c.x);
        const wt = tf.tensor4d(ws, w);
        const b = tf.tensor1d(bs);
        const dy = tf.tensor(dys, outShape);
        const inputs = c.bias ? [x, wt, b] : [x, wt];
        const f = (...a: tf.Tensor[]) => conv2d(a[0] as tf.Tensor4D, a[1] as tf.Tensor4D, a[2] as tf.Tensor1D | undefined, c.padding);
        const [y, dx, dw, db] = valueAndGrads(f, inputs, dy);
        expect(tf.tidy(() => f(...inputs).shape)).toEqual(outShape);
        const ref = refConv2dGrads(xs, ws, dys, spec);
        expectClose(y as Float64Array, refConv2d(xs, ws, spec, c.bias ? bs : undefined), 1e-5, 'y');
        expectClose(dx as Float64Array, ref.dx, 1e-5, 'dx');
        expectClose(dw as Float64Array, ref.dw, 1e-5, 'dw');
        if (c.bias) expectClose(db as Float64Array, ref.db, 1e-5, 'db');
        tf.dispose([x, wt, b, dy]);
      });
    }

    it('passes a finite-difference check (3×3 same, 3×1 padding 1)', () => {
      for (const c of [cases[0] as Case, cases[4] as Case]) {
        const { w, xs, ws, bs } = setup(c, 21);
        const x = tf.tensor4d(xs, c.x);
        const wt = tf.tensor4d(ws, w);
        const b = tf.tensor1d(bs);
        // Linear in each input separately but bilinear jointly: a moderate step keeps the O(h⁴) term tiny.
        checkGradients((a, bb, cc) => conv2d(a as tf.Tensor4D, bb as tf.Tensor4D, cc as tf.Tensor1D, c.padding), [x, wt, b], {
          step: 0.05,
          tolerance: 1e-4,
          names: ['x', 'weight', 'bias'],
        });
        tf.dispose([x, wt, b]);
      }
    });

    it.runIf(backend === 'cpu')('equals tf.conv2d and its native gradients on cpu', () => {
      for (const c of cases) {
        const { w, xs, ws, outShape, dys } = setup(c, 31);
        const q = padOf(c);
        const x = tf.tensor4d(xs, c.x);
        const wt = tf.tensor4d(ws, w);
        const dy = tf.tensor(dys, outShape);
        const mine = valueAndGrads((a, b) => conv2d(a as tf.Tensor4D, b as tf.Tensor4D, undefined, c.padding), [x, wt], dy);
        const native = valueAndGrads((a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, [[0, 0], [q, q], [q, q], [0, 0]]), [x, wt], dy);
        ['y', 'dx', 'dw'].forEach((label, i) => expectClose(mine[i] as Float64Array, native[i] as Float64Array, 1e-5, `${c.name} ${label}`));
        tf.dispose([x, wt, dy]);
      }
    });

    it('rejects bad arguments with an OpArgumentError naming the problem', () => {
      tf.tidy(() => {
      const x = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
      expect(() => conv2d(x, tf.zeros([3, 3, 2, 4]) as tf.Tensor4D)).toThrow(OpArgumentError);
      expect(() => conv2d(x, tf.zeros([3, 3, 2, 4]) as tf.Tensor4D)).toThrow(/input has 3 channels/);
      expect(() => conv2d(x, tf.zeros([2, 2, 3, 4]) as tf.Tensor4D, undefined, 'same')).toThrow(/'same' needs an odd square kernel/);
      expect(() => conv2d(x, tf.zeros([5, 5, 3, 4]) as tf.Tensor4D, undefined, 'valid')).toThrow(/smaller than the 5×5 kernel/);
      expect(() => conv2d(x, tf.zeros([3, 3, 3, 4]) as tf.Tensor4D, undefined, -1)).toThrow(/non-negative integer/);
      expect(() => conv2d(x, tf.zeros([3, 3, 3, 4]) as tf.Tensor4D, tf.zeros([3]) as tf.Tensor1D)).toThrow(/bias must be \[4\]/);
      });
    });
  });
}

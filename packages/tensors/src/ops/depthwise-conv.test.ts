import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { testBackends } from '@terramae/testing';
import { checkGradients, expectClose, numericSuite, randomArray, refConv2d, refConv2dGrads, valueAndGrads } from '../testing-utils/index';
import { depthwiseConv2d } from './depthwise-conv';
import { OpArgumentError } from './errors';

interface Case {
  readonly x: [number, number, number, number];
  readonly k: number;
}

const cases: Case[] = [
  { x: [2, 6, 5, 3], k: 3 },
  { x: [2, 9, 8, 4], k: 7 },
  { x: [1, 5, 4, 2], k: 7 }, // kernel larger than the image: every window overhangs
  { x: [3, 4, 4, 2], k: 1 },
];

function setup(c: Case, seed: number) {
  const w: [number, number, number, number] = [c.k, c.k, c.x[3], 1];
  const spec = { x: c.x, w, pad: (c.k - 1) / 2, depthwise: true };
  const n = c.x.reduce((a, d) => a * d);
  return { spec, w, xs: randomArray(n, seed), ws: randomArray(c.k * c.k * c.x[3], seed + 1, 0.3), bs: randomArray(c.x[3], seed + 2, 0.2), dys: randomArray(n, seed + 3) };
}

for (const backend of testBackends()) {
  describe(`depthwiseConv2d on ${backend}`, () => {
    numericSuite(backend);

    for (const c of cases) {
      it(`k=${c.k} on [${c.x}]: values, dx, dw and db equal a float64 reference`, () => {
        const { spec, w, xs, ws, bs, dys } = setup(c, 5);
        const x = tf.tensor4d(xs, c.x);
        const wt = tf.tensor4d(ws, w);
        const b = tf.tensor1d(bs);
        const dy = tf.tensor4d(dys, c.x);
        const [y, dx, dw, db] = valueAndGrads((a, bb, cc) => depthwiseConv2d(a as tf.Tensor4D, bb as tf.Tensor4D, cc as tf.Tensor1D), [x, wt, b], dy);
        const ref = refConv2dGrads(xs, ws, dys, spec);
        expectClose(y as Float64Array, refConv2d(xs, ws, spec, bs), 1e-5, 'y');
        expectClose(dx as Float64Array, ref.dx, 1e-5, 'dx');
        expectClose(dw as Float64Array, ref.dw, 1e-5, 'dw');
        expectClose(db as Float64Array, ref.db, 1e-5, 'db');
        tf.dispose([x, wt, b, dy]);
      });
    }

    it('passes a finite-difference check for k = 3 and k = 7', () => {
      for (const c of [cases[0] as Case, cases[1] as Case]) {
        const { w, xs, ws, bs } = setup(c, 9);
        const x = tf.tensor4d(xs, c.x);
        const wt = tf.tensor4d(ws, w);
        const b = tf.tensor1d(bs);
        checkGradients((a, bb, cc) => depthwiseConv2d(a as tf.Tensor4D, bb as tf.Tensor4D, cc as tf.Tensor1D), [x, wt, b], {
          step: 0.05,
          tolerance: 1e-4,
          names: ['x', 'weight', 'bias'],
        });
        tf.dispose([x, wt, b]);
      }
    });

    it.runIf(backend === 'cpu')('equals tf.depthwiseConv2d and its native gradients on cpu (k = 3, 7)', () => {
      for (const c of cases.slice(0, 3)) {
        const { w, xs, ws, dys } = setup(c, 13);
        const x = tf.tensor4d(xs, c.x);
        const wt = tf.tensor4d(ws, w);
        const dy = tf.tensor4d(dys, c.x);
        const mine = valueAndGrads((a, b) => depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D), [x, wt], dy);
        const native = valueAndGrads((a, b) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), [x, wt], dy);
        ['y', 'dx', 'dw'].forEach((label, i) => expectClose(mine[i] as Float64Array, native[i] as Float64Array, 1e-5, `k=${c.k} ${label}`));
        tf.dispose([x, wt, dy]);
      }
    });

    it('rejects even, non-square and multiplier filters and channel mismatches', () => {
      tf.tidy(() => {
        const x = tf.zeros([1, 5, 5, 3]) as tf.Tensor4D;
        expect(() => depthwiseConv2d(x, tf.zeros([2, 2, 3, 1]) as tf.Tensor4D)).toThrow(OpArgumentError);
        expect(() => depthwiseConv2d(x, tf.zeros([3, 5, 3, 1]) as tf.Tensor4D)).toThrow(/odd square \[k, k, C, 1\]/);
        expect(() => depthwiseConv2d(x, tf.zeros([3, 3, 3, 2]) as tf.Tensor4D)).toThrow(/odd square/);
        expect(() => depthwiseConv2d(x, tf.zeros([3, 3, 4, 1]) as tf.Tensor4D)).toThrow(/input has 3 channels/);
        expect(() => depthwiseConv2d(x, tf.zeros([3, 3, 3, 1]) as tf.Tensor4D, tf.zeros([4]) as tf.Tensor1D)).toThrow(/bias must be \[3\]/);
      });
    });
  });
}

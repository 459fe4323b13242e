import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { testBackends } from '@terramae/testing';
import { checkGradients, expectClose, numericSuite, randomArray, refConv2d, refConv2dGrads, refConvOutShape, valueAndGrads } from '../testing-utils/index';
import { OpArgumentError } from './errors';
import { depthwisePatchConv2d, patchConv2d } from './patch-conv';

interface Case {
  readonly name: string;
  readonly x: [number, number, number, number];
  readonly k: number;
  readonly pad: number;
  readonly cout: number;
  readonly out: [number, number];
}

const cases: Case[] = [
  { name: 'ConvNeXt stem k=2 padding 1 (110 → 56, not TF same)', x: [1, 110, 110, 2], k: 2, pad: 1, cout: 3, out: [56, 56] },
  { name: 'k=2 padding 1 on odd 7×5', x: [2, 7, 5, 2], k: 2, pad: 1, cout: 2, out: [4, 3] },
  { name: 'k=4, trailing rows dropped (13×9 → 3×2)', x: [2, 13, 9, 3], k: 4, pad: 0, cout: 2, out: [3, 2] },
  { name: 'ViT patch embed k=8', x: [1, 16, 16, 3], k: 8, pad: 0, cout: 4, out: [2, 2] },
  { name: 'k=1', x: [2, 3, 3, 4], k: 1, pad: 0, cout: 2, out: [3, 3] },
];

function setup(c: Case, seed: number, depthwise: boolean) {
  const w: [number, number, number, number] = [c.k, c.k, c.x[3], depthwise ? 1 : c.cout];
  const spec = { x: c.x, w, stride: c.k, pad: c.pad, depthwise };
  const outShape = refConvOutShape(spec);
  return {
    spec,
    w,
    outShape,
    xs: randomArray(c.x.reduce((a, d) => a * d), seed),
    ws: randomArray(w.reduce((a, d) => a * d), seed + 1, 0.4),
    bs: randomArray(outShape[3], seed + 2, 0.2),
    dys: randomArray(outShape.reduce((a, d) => a * d), seed + 3),
  };
}

for (const backend of testBackends()) {
  describe(`patchConv2d on ${backend}`, () => {
    numericSuite(backend);

    for (const c of cases) {
      it(`${c.name}: values and gradients equal a float64 PyTorch-semantics reference`, () => {
        const { spec, w, outShape, xs, ws, bs, dys } = setup(c, 3, false);
        expect(outShape.slice(1, 3)).toEqual(c.out);
        const x = tf.tensor4d(xs, c.x);
        const wt = tf.tensor4d(ws, w);
        const b = tf.tensor1d(bs);
        const dy = tf.tensor(dys, outShape);
        const f = (a: tf.Tensor, bb: tf.Tensor, cc: tf.Tensor) => patchConv2d(a as tf.Tensor4D, bb as tf.Tensor4D, cc as tf.Tensor1D, c.pad);
        expect(tf.tidy(() => f(x, wt, b).shape)).toEqual(outShape);
        const [y, dx, dw, db] = valueAndGrads(f, [x, wt, b], dy);
        const ref = refConv2dGrads(xs, ws, dys, spec);
        expectClose(y as Float64Array, refConv2d(xs, ws, spec, bs), 1e-5, 'y');
        expectClose(dx as Float64Array, ref.dx, 1e-5, 'dx');
        expectClose(dw as Float64Array, ref.dw, 1e-5, 'dw');
        expectClose(db as Float64Array, ref.db, 1e-5, 'db');
        tf.dispose([x, wt, b, dy]);
      });
    }

    it('passes a finite-difference check (k=2 padding 1, k=4 cropped)', () => {
      for (const c of [cases[1] as Case, cases[2] as Case]) {
        const { w, xs, ws, bs } = setup(c, 7, false);
        const x = tf.tensor4d(xs, c.x);
        const wt = tf.tensor4d(ws, w);
        const b = tf.tensor1d(bs);
        checkGradients((a, bb, cc) => patchConv2d(a as tf.Tensor4D, bb as tf.Tensor4D, cc as tf.Tensor1D, c.pad), [x, wt, b], { step: 0.05, tolerance: 1e-4 });
        tf.dispose([x, wt, b]);
      }
    });

    it.runIf(backend === 'cpu')('equals strided tf.conv2d with explicit padding and its native gradients on cpu', () => {
      for (const c of cases.slice(1)) {
        const { w, outShape, xs, ws, dys } = setup(c, 17, false);
        const x = tf.tensor4d(xs, c.x);
        const wt = tf.tensor4d(ws, w);
        const dy = tf.tensor(dys, outShape);
        const mine = valueAndGrads((a, b) => patchConv2d(a as tf.Tensor4D, b as tf.Tensor4D, undefined, c.pad), [x, wt], dy);
        const p = c.pad;
        const native = valueAndGrads((a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.k, [[0, 0], [p, p], [p, p], [0, 0]]), [x, wt], dy);
        ['y', 'dx', 'dw'].forEach((label, i) => expectClose(mine[i] as Float64Array, native[i] as Float64Array, 1e-5, `${c.name} ${label}`));
        tf.dispose([x, wt, dy]);
      }
    });

    it('rejects non-square kernels, channel mismatches, bad padding and too-small inputs', () => {
      tf.tidy(() => {
        const x = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
        expect(() => patchConv2d(x, tf.zeros([2, 1, 3, 4]) as tf.Tensor4D)).toThrow(OpArgumentError);
        expect(() => patchConv2d(x, tf.zeros([2, 2, 2, 4]) as tf.Tensor4D)).toThrow(/input has 3 channels/);
        expect(() => patchConv2d(x, tf.zeros([2, 2, 3, 4]) as tf.Tensor4D, undefined, 0.5)).toThrow(/padding must be a non-negative integer/);
        expect(() => patchConv2d(x, tf.zeros([8, 8, 3, 4]) as tf.Tensor4D)).toThrow(/smaller than the 8×8 window/);
        expect(() => patchConv2d(x, tf.zeros([2, 2, 3, 4]) as tf.Tensor4D, tf.zeros([3]) as tf.Tensor1D)).toThrow(/bias must be \[4\]/);
      });
    });
  });

  describe(`depthwisePatchConv2d on ${backend}`, () => {
    numericSuite(backend);

    for (const c of [cases[0] as Case, cases[1] as Case, cases[2] as Case, cases[4] as Case]) {
      it(`${c.name}: values and gradients equal a float64 reference`, () => {
        const { spec, w, outShape, xs, ws, bs, dys } = setup(c, 23, true);
        const x = tf.tensor4d(xs, c.x);
        const wt = tf.tensor4d(ws, w);
        const b = tf.tensor1d(bs);
        const dy = tf.tensor(dys, outShape);
        const [y, dx, dw, db] = valueAndGrads((a, bb, cc) => depthwisePatchConv2d(a as tf.Tensor4D, bb as tf.Tensor4D, cc as tf.Tensor1D, c.pad), [x, wt, b], dy);
        const ref = refConv2dGrads(xs, ws, dys, spec);
        expectClose(y as Float64Array, refConv2d(xs, ws, spec, bs), 1e-5, 'y');
        expectClose(dx as Float64Array, ref.dx, 1e-5, 'dx');
        expectClose(dw as Float64Array, ref.dw, 1e-5, 'dw');
        expectClose(db as Float64Array, ref.db, 1e-5, 'db');
        tf.dispose([x, wt, b, dy]);
      });
    }

    it('passes a finite-difference check', () => {
      const c = cases[1] as Case;
      const { w, xs, ws, bs } = setup(c, 29, true);
      const x = tf.tensor4d(xs, c.x);
      const wt = tf.tensor4d(ws, w);
      const b = tf.tensor1d(bs);
      checkGradients((a, bb, cc) => depthwisePatchConv2d(a as tf.Tensor4D, bb as tf.Tensor4D, cc as tf.Tensor1D, c.pad), [x, wt, b], { step: 0.05, tolerance: 1e-4 });
      tf.dispose([x, wt, b]);
    });

    it.runIf(backend === 'cpu')('equals strided tf.depthwiseConv2d and its native gradients on cpu', () => {
      for (const c of [cases[2] as Case, cases[4] as Case]) {
        const { w, outShape, xs, ws, dys } = setup(c, 31, true);
        const x = tf.tensor4d(xs, c.x);
        const wt = tf.tensor4d(ws, w);
        const dy = tf.tensor(dys, outShape);
        const mine = valueAndGrads((a, b) => depthwisePatchConv2d(a as tf.Tensor4D, b as tf.Tensor4D), [x, wt], dy);
        const native = valueAndGrads((a, b) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.k, 'valid'), [x, wt], dy);
        ['y', 'dx', 'dw'].forEach((label, i) => expectClose(mine[i] as Float64Array, native[i] as Float64Array, 1e-5, `${c.name} ${label}`));
        tf.dispose([x, wt, dy]);
      }
    });

    it('rejects filters that are not [k, k, C, 1]', () => {
      tf.tidy(() => {
        const x = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
        expect(() => depthwisePatchConv2d(x, tf.zeros([2, 2, 3, 2]) as tf.Tensor4D)).toThrow(OpArgumentError);
        expect(() => depthwisePatchConv2d(x, tf.zeros([2, 2, 4, 1]) as tf.Tensor4D)).toThrow(/input has 3 channels/);
      });
    });
  });
}

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { testBackends } from '@terramae/testing';
import { checkGradients, expectClose, numericSuite, randomArray, valueAndGrads } from '../testing-utils/index';
import { OpArgumentError } from './errors';
import { linear } from './linear';

/** `y = x·W + b` over the last axis in float64, and its vector–Jacobian products. */
function refLinear(x: Float32Array, w: Float32Array, b: Float32Array | undefined, dy: Float32Array, din: number, dout: number) {
  const rows = x.length / din;
  const y = new Float64Array(rows * dout);
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  const db = new Float64Array(dout);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < dout; o++) {
      let s = b ? b[o]! : 0;
      for (let i = 0; i < din; i++) {
        s += x[r * din + i]! * w[i * dout + o]!;
        dx[r * din + i] = dx[r * din + i]! + dy[r * dout + o]! * w[i * dout + o]!;
        dw[i * dout + o] = dw[i * dout + o]! + x[r * din + i]! * dy[r * dout + o]!;
      }
      y[r * dout + o] = s;
      db[o] = db[o]! + dy[r * dout + o]!;
    }
  }
  return { y, dx, dw, db };
}

for (const backend of testBackends()) {
  describe(`linear on ${backend}`, () => {
    numericSuite(backend);

    for (const [lead, bias] of [
      [[5], true],
      [[2, 3], true],
      [[2, 2, 3], false],
    ] as const) {
      it(`input [${lead}, 4] → 3${bias ? ' with bias' : ''}: values and gradients equal a float64 reference`, () => {
        const [din, dout] = [4, 3];
        const rows = lead.reduce((a: number, d: number) => a * d, 1);
        const xs = randomArray(rows * din, 1);
        const ws = randomArray(din * dout, 2, 0.5);
        const bs = randomArray(dout, 3, 0.3);
        const dys = randomArray(rows * dout, 4);
        const x = tf.tensor(xs, [...lead, din]);
        const w = tf.tensor2d(ws, [din, dout]);
        const b = tf.tensor1d(bs);
        const dy = tf.tensor(dys, [...lead, dout]);
        const inputs = bias ? [x, w, b] : [x, w];
        const f = (...a: tf.Tensor[]) => linear(a[0]!, a[1] as tf.Tensor2D, a[2] as tf.Tensor1D | undefined);
        expect(tf.tidy(() => f(...inputs).shape)).toEqual([...lead, dout]);
        const [y, dx, dw, db] = valueAndGrads(f, inputs, dy);
        const ref = refLinear(xs, ws, bias ? bs : undefined, dys, din, dout);
        expectClose(y as Float64Array, ref.y, 1e-6, 'y');
        expectClose(dx as Float64Array, ref.dx, 1e-6, 'dx');
        expectClose(dw as Float64Array, ref.dw, 1e-6, 'dw');
        if (bias) expectClose(db as Float64Array, ref.db, 1e-6, 'db');
        tf.dispose([x, w, b, dy]);
      });
    }

    it('passes a finite-difference check', () => {
      const x = tf.tensor3d(randomArray(12, 5), [2, 2, 3]);
      const w = tf.tensor2d(randomArray(6, 6), [3, 2]);
      const b = tf.tensor1d(randomArray(2, 7));
      checkGradients((a, ww, bb) => linear(a, ww as tf.Tensor2D, bb as tf.Tensor1D), [x, w, b], { step: 0.05, tolerance: 1e-4 });
      tf.dispose([x, w, b]);
    });

    it('rejects a feature mismatch', () => {
      tf.tidy(() => {
        expect(() => linear(tf.zeros([2, 5]), tf.zeros([4, 3]) as tf.Tensor2D)).toThrow(OpArgumentError);
        expect(() => linear(tf.zeros([2, 5]), tf.zeros([4, 3]) as tf.Tensor2D)).toThrow(/input has 5 features, weight expects 4/);
      });
    });
  });
}

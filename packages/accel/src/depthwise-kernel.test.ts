import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { depthwiseConv2d, leanVariableGrads, Rng } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { disableAccel, enableAccel } from './enable-accel';
import { loadNative } from './native';

const native = loadNative();

function rand(shape: number[], rng: Rng): tf.Tensor {
  return tf.tensor(rng.normalArray(shape.reduce((a, b) => a * b, 1)), shape);
}

/** Max |x − y| / (1 + max |y|). */
function relErr(x: tf.Tensor, y: tf.Tensor): number {
  return tf.tidy(() => x.sub(y).abs().max().dataSync()[0]! / (1 + y.abs().max().dataSync()[0]!));
}

type Case = { x: number[]; k: [number, number]; strides: number | [number, number]; pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]]; dilations?: number };
const CASES: Case[] = [
  { x: [2, 14, 14, 40], k: [7, 7], strides: 1, pad: 'same' }, // ConvNeXt's dwconv
  { x: [3, 9, 11, 17], k: [3, 5], strides: 1, pad: 'valid' },
  { x: [2, 10, 9, 5], k: [3, 3], strides: [2, 1], pad: 'same' },
  { x: [1, 12, 12, 6], k: [3, 3], strides: 1, pad: 'same', dilations: 2 },
  { x: [2, 8, 8, 3], k: [7, 7], strides: 1, pad: [[0, 0], [3, 2], [1, 3], [0, 0]] },
  { x: [1, 20, 20, 24], k: [14, 14], strides: 1, pad: [[0, 0], [3, 3], [3, 3], [0, 0]] }, // the filter-gradient form
  { x: [2, 3, 3, 4], k: [7, 7], strides: 1, pad: 'same' }, // kernel larger than the input
];

describe.skipIf(!native.addon?.dwconv)('native depthwise convolution', () => {
  for (const backend of testBackends()) {
    describe(backend, () => {
      beforeAll(() => useBackend(backend));
      afterAll(() => disableAccel());

      it('agrees with the stock kernel on kernel sizes, strides, dilation and explicit padding', async () => {
        const rng = new Rng(5);
        const inputs = CASES.map((c) => [rand(c.x, rng), rand([...c.k, c.x[3]!, 1], rng)] as const);
        const run = () => CASES.map((c, i) => tf.depthwiseConv2d(inputs[i]![0] as tf.Tensor4D, inputs[i]![1] as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilations ?? 1));
        const stock = tf.tidy(run);
        await enableAccel({ log: false });
        expect(tf.getKernel('DepthwiseConv2dNative', backend)?.kernelFunc).not.toBe(undefined);
        const before = tf.memory().numTensors;
        const fast = tf.tidy(run);
        expect(tf.memory().numTensors - before).toBe(fast.length);
        fast.forEach((t, i) => {
          expect(t.shape, `case ${i}`).toEqual(stock[i]!.shape);
          expect(relErr(t, stock[i]!), `case ${i}`).toBeLessThan(2e-6);
        });
        disableAccel();
        tf.dispose([...stock, ...fast, ...inputs.flat()]);
      });

      it('leaves channel multipliers above 1 to the stock kernel', async () => {
        const rng = new Rng(6);
        const x = rand([1, 6, 6, 3], rng) as tf.Tensor4D;
        const w = rand([3, 3, 3, 2], rng) as tf.Tensor4D;
        const stock = tf.depthwiseConv2d(x, w, 1, 'same');
        await enableAccel({ log: false });
        const fast = tf.depthwiseConv2d(x, w, 1, 'same');
        expect(fast.shape).toEqual([1, 6, 6, 6]);
        expect(relErr(fast, stock)).toBe(0);
        disableAccel();
        tf.dispose([x, w, stock, fast]);
      });

      it("gives terramae's depthwiseConv2d the same values and gradients", async () => {
        const rng = new Rng(7);
        const x = rand([2, 14, 14, 8], rng) as tf.Tensor4D;
        const w = tf.variable(rand([7, 7, 8, 1], rng).mul(0.1) as tf.Tensor4D);
        const b = tf.variable(rand([8], rng) as tf.Tensor1D);
        const xv = tf.variable(x);
        const loss = () => depthwiseConv2d(xv as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D).square().mean() as tf.Scalar;
        const ref = leanVariableGrads(loss, [w, b, xv]);
        await enableAccel({ log: false });
        const fast = leanVariableGrads(loss, [w, b, xv]);
        expect(relErr(fast.value, ref.value)).toBeLessThan(1e-6);
        for (const v of [w, b, xv]) expect(relErr(fast.grads[v.name]!, ref.grads[v.name]!), v.name).toBeLessThan(2e-6);
        disableAccel();
        tf.dispose([x, w, b, xv, ref.value, fast.value, ...Object.values(ref.grads), ...Object.values(fast.grads)]);
      });
    });
  }

  it('every ISA (AVX-512, AVX2, portable) equals a float64 reference, and short arrays are refused', () => {
    const addon = native.addon!;
    const rng = new Rng(8);
    const [n, h, w, c, kh, kw, sh, sw, pt, pl] = [2, 9, 7, 21, 5, 3, 2, 1, 2, 1];
    const oh = Math.floor((h + 2 * pt - kh) / sh) + 1;
    const ow = Math.floor((w + 2 * pl - kw) / sw) + 1;
    const x = Float32Array.from(rng.normalArray(n * h * w * c));
    const f = Float32Array.from(rng.normalArray(kh * kw * c));
    const ref = new Float64Array(n * oh * ow * c);
    for (let b = 0; b < n; b++)
      for (let y = 0; y < oh; y++)
        for (let xo = 0; xo < ow; xo++)
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) {
              const iy = y * sh - pt + i;
              const ix = xo * sw - pl + j;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              for (let ch = 0; ch < c; ch++) ref[((b * oh + y) * ow + xo) * c + ch]! += x[((b * h + iy) * w + ix) * c + ch]! * f[(i * kw + j) * c + ch]!;
            }
    for (const force of [3, 2, 1]) {
      const name = addon.isa(force);
      const out = new Float32Array(n * oh * ow * c).fill(Number.NaN);
      addon.dwconv!(x, f, out, n, h, w, c, kh, kw, oh, ow, sh, sw, 1, 1, pt, pl);
      let err = 0;
      for (let i = 0; i < out.length; i++) err = Math.max(err, Math.abs(out[i]! - ref[i]!));
      expect(err, name).toBeLessThan(1e-5);
    }
    addon.isa(0);
    expect(() => addon.dwconv!(x, f, new Float32Array(5), n, h, w, c, kh, kw, oh, ow, sh, sw, 1, 1, pt, pl)).toThrow(/shorter/);
  });
});

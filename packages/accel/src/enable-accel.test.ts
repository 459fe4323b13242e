import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { accelEnabled, disableAccel, enableAccel } from './enable-accel';
import { loadNative } from './native';

const native = loadNative();
if (!native.addon) console.warn(`accel tests skipped: ${native.reason}`);

function rand(shape: number[], rng: Rng): tf.Tensor {
  return tf.tensor(rng.normalArray(shape.reduce((a, b) => a * b, 1)), shape);
}

/** Max |x − y| / (1 + max |y|). */
function relErr(x: tf.Tensor, y: tf.Tensor): number {
  return tf.tidy(() => x.sub(y).abs().max().dataSync()[0]! / (1 + y.abs().max().dataSync()[0]!));
}

/** Values and gradients of a small "training step" through matMul, fused matMul and a batched attention product. */
function step(vars: tf.Variable[], x: tf.Tensor): { loss: tf.Scalar; grads: tf.Tensor[] } {
  const [w1, b1, w2, q] = vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const { value, grads } = tf.variableGrads(() => {
    const h = tf.fused.matMul({ a: x as tf.Tensor2D, b: w1, bias: b1, activation: 'relu' });
    const y = tf.matMul(h, w2, false, true); // [n, 5]
    const att = tf.matMul(y.reshape([2, -1, 5]), q.reshape([2, -1, 5]), false, true); // batched, transposeB
    const back = tf.matMul(att, q.reshape([2, -1, 5]), true, false); // transposeA
    return y.square().mean().add(back.square().mean()) as tf.Scalar;
  }, vars);
  return { loss: value, grads: vars.map((v) => grads[v.name]!) };
}

describe.skipIf(!native.addon)('enableAccel', () => {
  for (const backend of testBackends()) {
    describe(backend, () => {
      beforeAll(() => useBackend(backend));
      afterAll(() => disableAccel());

      it('agrees with the stock kernels on every transpose, batch broadcast and fused epilogue', async () => {
        const rng = new Rng(1);
        const cases: Array<[number[], number[], boolean, boolean]> = [
          [[37, 19], [19, 45], false, false],
          [[19, 37], [19, 45], true, false],
          [[37, 19], [45, 19], false, true],
          [[19, 37], [45, 19], true, true],
          [[3, 2, 17, 9], [3, 2, 9, 33], false, false],
          [[4, 17, 9], [9, 33], false, false],
          [[1, 9, 17], [4, 9, 33], true, false],
          [[300, 70], [70, 130], false, false],
        ];
        const inputs = cases.map(([sa, sb]) => [rand(sa, rng), rand(sb, rng)] as const);
        const bias = rand([45], rng);
        const run = () => [
          ...cases.map(([, , ta, tb], i) => tf.matMul(inputs[i]![0], inputs[i]![1], ta, tb)),
          tf.fused.matMul({ a: inputs[0]![0] as tf.Tensor2D, b: inputs[0]![1] as tf.Tensor2D, bias, activation: 'relu' }),
          tf.fused.matMul({ a: inputs[0]![0] as tf.Tensor2D, b: inputs[0]![1] as tf.Tensor2D, bias, activation: 'relu6' }),
          tf.fused.matMul({ a: inputs[0]![0] as tf.Tensor2D, b: inputs[0]![1] as tf.Tensor2D, bias, activation: 'elu' }), // stock fallback
          tf.matMul(tf.cast(tf.tensor2d([[1, 2], [3, 4]], undefined, 'int32'), 'float32'), tf.eye(2)), // float32 values held in an Int32Array (cpu)
        ];
        const stock = tf.tidy(run);
        const status = await enableAccel({ log: false });
        expect(status.enabled).toBe(true);
        expect(status.backends).toContain(backend);
        const before = tf.memory().numTensors;
        const fast = tf.tidy(run);
        expect(tf.memory().numTensors - before).toBe(fast.length);
        fast.forEach((t, i) => {
          expect(t.shape, `case ${i}`).toEqual(stock[i]!.shape);
          expect(relErr(t, stock[i]!), `case ${i}`).toBeLessThan(2e-6);
        });
        disableAccel();
        expect(accelEnabled()).toBe(false);
        tf.dispose([...stock, ...fast, ...inputs.flat(), bias]);
      });

      it('gives the same loss and gradients in a training step, without leaks', async () => {
        const rng = new Rng(2);
        const vars = [rand([12, 24], rng), rand([24], rng), rand([5, 24], rng), rand([2, 8, 5], rng)].map((t) => {
          const v = tf.variable(t);
          t.dispose();
          return v;
        });
        const x = rand([16, 12], rng);
        const ref = step(vars, x);
        await enableAccel({ log: false });
        const before = tf.memory().numTensors;
        const fast = step(vars, x);
        expect(tf.memory().numTensors - before).toBe(1 + vars.length);
        expect(relErr(fast.loss, ref.loss)).toBeLessThan(1e-6);
        fast.grads.forEach((g, i) => expect(relErr(g, ref.grads[i]!), `grad ${i}`).toBeLessThan(2e-6));
        disableAccel();
        tf.dispose([ref.loss, fast.loss, ...ref.grads, ...fast.grads, x, ...vars]);
      });

      it('restores the stock kernels on disableAccel', async () => {
        const stock = tf.getKernel('BatchMatMul', backend);
        await enableAccel({ log: false });
        expect(tf.getKernel('BatchMatMul', backend)).not.toBe(stock);
        disableAccel();
        expect(tf.getKernel('BatchMatMul', backend)).toBe(stock);
      });
    });
  }

  it('every micro-kernel (AVX-512, AVX2, portable) computes the same product', () => {
    const addon = native.addon!;
    const rng = new Rng(3);
    const [m, n, k] = [23, 70, 301];
    const a = Float32Array.from(rng.normalArray(m * k));
    const b = Float32Array.from(rng.normalArray(k * n));
    const ref = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) ref[i * n + j]! += a[i * k + p]! * b[p * n + j]!;
    for (const force of [3, 2, 1]) {
      const name = addon.isa(force);
      const c = new Float32Array(m * n);
      addon.sgemm(a, b, c, 1, m, n, k, 0, 0, 0, 0);
      let err = 0;
      for (let i = 0; i < c.length; i++) err = Math.max(err, Math.abs(c[i]! - ref[i]!));
      expect(err, name).toBeLessThan(1e-3);
    }
    addon.isa(0);
    expect(() => addon.sgemm(a, b, new Float32Array(3), 1, m, n, k, 0, 0, 0, 0)).toThrow(/shorter/);
  });
});

describe('enableAccel without the binary', () => {
  beforeAll(() => useBackend('cpu'));
  it('reports why in one line and keeps the stock kernels', async () => {
    const stock = tf.getKernel('BatchMatMul', 'cpu');
    const status = await enableAccel({ addonPath: '/nonexistent/terramae-accel.node', log: false });
    expect(status.enabled).toBe(false);
    expect(status.reason).toMatch(/nonexistent\/terramae-accel\.node/);
    expect(tf.getKernel('BatchMatMul', 'cpu')).toBe(stock);
    expect(accelEnabled()).toBe(false);
  });
});

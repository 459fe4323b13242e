import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { disableAccel, enableAccel } from './enable-accel';
import { loadNative } from './native';
import { contiguousReduction } from './sum-kernel';

const native = loadNative();

describe('contiguousReduction', () => {
  it('splits a shape around one block of axes and refuses gaps', () => {
    expect(contiguousReduction([8, 56, 56, 160], [1, 2])).toEqual({ outer: 8, r: 3136, inner: 160 });
    expect(contiguousReduction([8, 56, 56, 160], [2, 0, 1])).toEqual({ outer: 1, r: 25088, inner: 160 });
    expect(contiguousReduction([4, 5], [1])).toEqual({ outer: 4, r: 5, inner: 1 });
    expect(contiguousReduction([4, 5, 6], [0, 2])).toBeUndefined();
    expect(contiguousReduction([4, 5, 6], [])).toBeUndefined();
  });
});

describe.skipIf(!native.addon?.sumAxes)('native Sum', () => {
  it('is registered for wasm only (the cpu backend keeps its float64 accumulation)', async () => {
    await useBackend('cpu');
    const cpuStock = tf.getKernel('Sum', 'cpu');
    await enableAccel({ log: false });
    expect(tf.getKernel('Sum', 'cpu')).toBe(cpuStock);
    disableAccel();
  });

  for (const backend of testBackends().filter((b) => b === 'wasm')) {
    describe(backend, () => {
      beforeAll(() => useBackend(backend));
      afterAll(() => disableAccel());

      it('equals the stock kernel bit for bit on leading, middle, trailing and all axes, and defers the rest', async () => {
        const rng = new Rng(9);
        const x = tf.tensor(rng.normalArray(3 * 7 * 11 * 13), [3, 7, 11, 13]);
        const ints = tf.tensor([1, 2, 3, 4], [2, 2], 'int32');
        const run = () => [
          x.sum([1, 2], true),
          x.sum([0, 1, 2]),
          x.sum(-1),
          x.sum(),
          x.sum(0, true),
          x.sum([0, 2]), // not contiguous: stock
          ints.sum(0), // int32: stock
        ];
        const stock = tf.tidy(run);
        await enableAccel({ log: false });
        const before = tf.memory().numTensors;
        const fast = tf.tidy(run);
        expect(tf.memory().numTensors - before).toBe(fast.length);
        fast.forEach((t, i) => {
          expect(t.shape, `case ${i}`).toEqual(stock[i]!.shape);
          expect(t.dtype, `case ${i}`).toBe(stock[i]!.dtype);
          expect(Array.from(t.dataSync()), `case ${i}`).toEqual(Array.from(stock[i]!.dataSync()));
        });
        disableAccel();
        tf.dispose([...stock, ...fast, x, ints]);
      });
    });
  }
});

describe.skipIf(!native.addon?.sumAxes)('enableAccel before the wasm backend starts', () => {
  it('keeps the stock kernels usable for the cases it hands back to them', () => {
    // A fresh process: the wasm kernels bind their functions in setup when the backend starts,
    // which here happens after enableAccel has replaced them.
    const code = `
      import * as tf from '@tensorflow/tfjs';
      import '@tensorflow/tfjs-backend-wasm';
      import { enableAccel } from '@terramae/accel';
      await enableAccel({ log: false });
      await tf.setBackend('wasm');
      const x = tf.ones([2, 3, 4]);
      const s = x.sum([0, 2]).arraySync();
      const d = tf.depthwiseConv2d(tf.ones([1, 3, 3, 1]), tf.ones([1, 1, 1, 2]), 1, 'same').shape;
      console.log(JSON.stringify({ s, d }));`;
    const out = execFileSync(process.execPath, ['--conditions=@terramae/source', '--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop() as string)).toEqual({ s: [8, 8, 8], d: [1, 3, 3, 2] });
  });
});

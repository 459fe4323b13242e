import * as tf from '@tensorflow/tfjs';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipGradNorm } from './clip-grad-norm';

describe.each(testBackends())('clipGradNorm on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('scales every gradient by maxNorm / (total + 1e-6) when the 2-norm is too large', () => {
    const grads = { a: tf.tensor([3, 4]), b: tf.tensor([[12]]) };
    const before = tf.memory().numTensors;
    const { grads: out, totalNorm } = clipGradNorm(grads, 6.5);
    expect(tf.memory().numTensors).toBe(before + 3);
    expect(totalNorm.dataSync()[0]).toBeCloseTo(13, 5);
    const c = 6.5 / (13 + 1e-6);
    expect(Array.from(out.get('a')!.dataSync())).toEqual([3, 4].map((x) => expect.closeTo(x * c, 6)));
    expect(out.get('b')!.shape).toEqual([1, 1]);
    tf.dispose([...out.values(), totalNorm, ...Object.values(grads)]);
  });

  it('leaves gradients unchanged below maxNorm, and supports inf and 1 norms', () => {
    const grads = new Map([['a', tf.tensor([3, -4])], ['b', tf.tensor([1])]]);
    const r = clipGradNorm(grads, 100);
    expect(Array.from(r.grads.get('a')!.dataSync())).toEqual([3, -4]);
    const inf = clipGradNorm(grads, 2, { normType: Infinity });
    expect(inf.totalNorm.dataSync()[0]).toBe(4);
    expect(inf.grads.get('a')!.dataSync()[1]).toBeCloseTo(-2, 5);
    const one = clipGradNorm(grads, 100, { normType: 1 });
    expect(one.totalNorm.dataSync()[0]).toBe(8);
    tf.dispose([...r.grads.values(), r.totalNorm, ...inf.grads.values(), inf.totalNorm, ...one.grads.values(), one.totalNorm, ...grads.values()]);
    expect(() => clipGradNorm(grads, -1)).toThrow(/maxNorm/);
  });
});

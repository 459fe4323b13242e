import * as tf from '@tensorflow/tfjs';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { GradientAccumulator } from './grad-accumulator';

describe.each(testBackends())('GradientAccumulator on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('sums and averages over micro-batches without leaking', () => {
    const before = tf.memory().numTensors;
    const acc = new GradientAccumulator();
    for (const k of [1, 2, 3]) {
      tf.tidy(() => acc.add({ w: tf.fill([2], k), ...(k === 2 ? { b: tf.scalar(6) } : {}) }));
    }
    expect(acc.count).toBe(3);
    const mean = acc.result('mean');
    const sum = acc.result('sum');
    expect(Array.from(mean.get('w')!.dataSync())).toEqual([2, 2]);
    expect(mean.get('b')!.dataSync()[0]).toBe(2); // absent micro-batches count as zero
    expect(Array.from(sum.get('w')!.dataSync())).toEqual([6, 6]);
    tf.dispose([...mean.values(), ...sum.values()]);
    expect(() => tf.tidy(() => acc.add({ w: tf.zeros([3]) }))).toThrow(/shape \[3\]/);
    acc.reset();
    expect(acc.count).toBe(0);
    expect(() => acc.result()).toThrow(/no micro-batch/);
    acc.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

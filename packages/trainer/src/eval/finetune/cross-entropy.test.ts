import * as tf from '@tensorflow/tfjs';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropyLoss } from './cross-entropy';

/** Host oracle: timm LabelSmoothingCrossEntropy per row. */
function rowLoss(z: number[], y: number, eps: number): number {
  const m = Math.max(...z);
  const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
  const logp = z.map((v) => v - lse);
  return (1 - eps) * -logp[y]! + eps * -(logp.reduce((a, b) => a + b, 0) / z.length);
}

describe.each(testBackends())('crossEntropyLoss on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const Z = [[2, 0.5, -1], [0.1, 0.2, 0.3], [-2, 3, 0]];
  const Y = [0, 2, 1];

  it('equals the hand formula with and without smoothing', () => {
    for (const eps of [0, 0.2]) {
      const l = crossEntropyLoss(tf.tensor2d(Z), tf.tensor1d(Y, 'int32'), { smoothing: eps });
      const ref = (rowLoss(Z[0]!, 0, eps) + rowLoss(Z[1]!, 2, eps) + rowLoss(Z[2]!, 1, eps)) / 3;
      expect(l.dataSync()[0]).toBeCloseTo(ref, 5);
      l.dispose();
    }
  });

  it('ignores the ignore label in sum and count, and has a gradient', () => {
    const z = tf.variable(tf.tensor2d(Z));
    const y = tf.tensor1d([0, -1, 1], 'int32');
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => crossEntropyLoss(z, y, { ignoreIndex: -1 }), [z]);
    expect(value.dataSync()[0]).toBeCloseTo((rowLoss(Z[0]!, 0, 0) + rowLoss(Z[2]!, 1, 0)) / 2, 5);
    const g = grads[z.name]!.arraySync() as number[][];
    expect(g[1]!.map(Math.abs)).toEqual([0, 0, 0]);
    expect(Math.abs(g[0]![0]!)).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    const none = crossEntropyLoss(tf.tensor2d([[1, 2]]), tf.tensor1d([-1], 'int32'), { ignoreIndex: -1 });
    expect(none.dataSync()[0]).toBe(0);
    tf.dispose([z, y, none]);
  });
});

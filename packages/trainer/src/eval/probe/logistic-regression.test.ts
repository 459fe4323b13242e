import * as tf from '@tensorflow/tfjs';
import { Rng } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { featureMatrix } from '../features';
import { argmaxRows, fitLogisticRegression } from './logistic-regression';

/** Host float64 gradient of mean CE + λ/2‖W‖², the oracle. */
function hostGradient(x: number[][], y: number[], W: Float64Array, b: Float64Array, c: number, l2: number): number[] {
  const d = x[0]!.length;
  const g = new Array(d * c + c).fill(0);
  x.forEach((row, i) => {
    const z = Array.from({ length: c }, (_, k) => b[k]! + row.reduce((s, v, j) => s + v * W[j * c + k]!, 0));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const sum = e.reduce((a, v) => a + v, 0);
    for (let k = 0; k < c; k++) {
      const r = e[k]! / sum - (y[i] === k ? 1 : 0);
      for (let j = 0; j < d; j++) g[j * c + k] += (r * row[j]!) / x.length;
      g[d * c + k] += r / x.length;
    }
  });
  for (let j = 0; j < d * c; j++) g[j] += l2 * W[j]!;
  return g;
}

function blobs(n: number, seed: number, sep: number) {
  const rng = new Rng(seed);
  const centers = [[sep, 0, 0], [0, sep, 0], [0, 0, sep]];
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    y.push(k);
    x.push(centers[k]!.map((c) => c + rng.normal()));
  }
  return { x, y, m: featureMatrix(x.flat(), n, 3) };
}

describe.each(testBackends())('fitLogisticRegression on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each([
    ['host', 1e-7, 1e-6],
    ['tensor', 1e-5, 1e-4], // float32 arithmetic
  ] as const)('reaches the optimum with %s arithmetic: the float64 gradient vanishes there', (compute, tolerance, bound) => {
    const before = tf.memory().numTensors;
    const { x, y, m } = blobs(60, 1, 1.5);
    const model = fitLogisticRegression(m, y, { l2: 0.05, compute, tolerance, functionTolerance: 0 });
    expect(tf.memory().numTensors).toBe(before);
    const g = hostGradient(x, y, model.weights, model.bias, 3, 0.05);
    expect(Math.max(...g.map(Math.abs))).toBeLessThan(bound);
  });

  it('separates well-separated classes and predicts their labels', () => {
    const { y, m } = blobs(30, 2, 6);
    const model = fitLogisticRegression(m, y);
    expect(Array.from(model.predict(m))).toEqual(y);
    const probe = featureMatrix([6, 0, 0, 0, 0, 6], 2, 3);
    expect(Array.from(model.predict(probe))).toEqual([0, 2]);
  });

  it('matches the closed form of a symmetric two-class problem', () => {
    // x = +1 → class 1, x = −1 → class 0. By symmetry b0 = b1 and w0 = −w1; with Δ = w1 − w0
    // both samples have ∂CE/∂w1 = −(1 − σ(Δ)), so stationarity is 1 − σ(Δ) = λ·w1.
    const m = featureMatrix([1, -1, 1, -1], 4, 1);
    const model = fitLogisticRegression(m, [1, 0, 1, 0], { l2: 0.1 });
    const w0 = model.weights[0]!;
    const w1 = model.weights[1]!;
    expect(w0).toBeCloseTo(-w1, 5);
    const delta = w1 - w0;
    expect(1 - 1 / (1 + Math.exp(-delta))).toBeCloseTo(0.1 * w1, 4);
  });

  it('rejects labels outside the classes', () => {
    expect(() => fitLogisticRegression(featureMatrix([1, 2], 2, 1), [0, 3], { numClasses: 2 })).toThrow(/label 3 of sample 1/);
  });
});

describe('argmaxRows', () => {
  it('takes the first maximum', () => {
    expect(Array.from(argmaxRows([1, 3, 3, 0, -1, -2], 2, 3))).toEqual([1, 0]);
  });
});

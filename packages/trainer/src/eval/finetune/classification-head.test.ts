import * as tf from '@tensorflow/tfjs';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClassificationHead } from './classification-head';

describe.each(testBackends())('ClassificationHead on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('names parameters as the reference and initialises the head tiny', () => {
    const h = new ClassificationHead(4, 3);
    expect(h.namedParameters().map((p) => p.name)).toEqual(['norm.weight', 'norm.bias', 'head.weight', 'head.bias']);
    const w = h.stateDict()['head.weight']!.dataSync();
    expect(Math.max(...Array.from(w).map(Math.abs))).toBeLessThan(1e-4);
    expect(Array.from(h.stateDict()['head.bias']!.dataSync())).toEqual([0, 0, 0]);
    expect(h.torchStateDict()['head.weight']!.shape).toEqual([3, 4]); // torch Linear layout
    tf.dispose(Object.values(h.torchStateDict()));
    h.dispose();
    const v = new ClassificationHead(4, 3, { normName: 'fc_norm' });
    expect(v.namedParameters()[0]!.name).toBe('fc_norm.weight');
    v.dispose();
  });

  it('computes LN → linear', () => {
    const h = new ClassificationHead(2, 2, { normName: 'norm', initStd: 1, seed: 1 });
    const x = tf.tensor2d([[1, 3]]); // LN → [-1, 1] (eps 1e-6)
    const W = h.stateDict()['head.weight']!.arraySync() as number[][];
    const out = h.apply(x).arraySync() as number[][];
    expect(out[0]![0]).toBeCloseTo(-W[0]![0]! + W[1]![0]!, 4);
    expect(out[0]![1]).toBeCloseTo(-W[0]![1]! + W[1]![1]!, 4);
    x.dispose();
    h.dispose();
  });
});

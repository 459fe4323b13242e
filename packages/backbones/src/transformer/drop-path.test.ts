import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { dropPath } from './drop-path';

for (const backend of testBackends()) {
  describe(`dropPath on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    it('drops whole samples and rescales the rest by 1/(1-rate), reproducibly from the seed', () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = tf.ones([64, 3, 2]);
        const a = dropPath(x, 0.25, new Rng(7)).arraySync() as number[][][];
        const b = dropPath(x, 0.25, new Rng(7)).arraySync() as number[][][];
        expect(a).toEqual(b);
        const perSample = a.map((s) => s.flat());
        for (const s of perSample) expect(s.every((v) => Math.abs(v - s[0]!) < 1e-7)).toBe(true);
        const kept = perSample.filter((s) => s[0]! > 0);
        for (const s of kept) expect(s[0]).toBeCloseTo(1 / 0.75, 6);
        expect(kept.length).toBeGreaterThan(30);
        expect(kept.length).toBeLessThan(64);
      });
      expect(tf.memory().numTensors).toBe(before);
    });

    it('is the identity at rate 0 and rejects rates outside [0, 1)', () => {
      const x = tf.ones([2, 2]);
      expect(dropPath(x, 0, new Rng(1))).toBe(x);
      expect(() => dropPath(x, 1, new Rng(1))).toThrow(/\[0, 1\)/);
      x.dispose();
    });
  });
}

import * as tf from '@tensorflow/tfjs';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { sumAggregator } from './sum';
import type { UncertaintyWeights } from './uncertainty';
import { uncertaintyAggregator, uncertaintyTerms } from './uncertainty';
import { AggregatorConfigError, weightedAggregator } from './weighted';

for (const backend of testBackends()) {
  describe(`loss aggregators (${backend})`, () => {
    beforeAll(() => useBackend(backend));

    it('sum and fixed weights', () => {
      const losses = [tf.scalar(1), tf.scalar(2), tf.scalar(4)];
      const s = sumAggregator.aggregate(sumAggregator.build({}, ['a', 'b', 'c']), losses, {});
      expect(s.total.dataSync()[0]).toBe(7);
      const state = weightedAggregator.build({ weights: { b: 0.5 }, defaultWeight: 2 }, ['a', 'b', 'c']);
      const w = weightedAggregator.aggregate(state, losses, { weights: { b: 0.5 } });
      expect(w.total.dataSync()[0]).toBe(2 + 1 + 8);
      expect(() => weightedAggregator.build({ weights: { z: 1 } }, ['a'])).toThrow(AggregatorConfigError);
      tf.dispose([...losses, s.total, w.total]);
    });

    it('uncertainty weighting: Σ exp(−s)·L + s, no ½, zero loss contributes 0 and gives no log-var gradient', () => {
      const before = tf.memory().numTensors;
      const state = uncertaintyAggregator.build({}, ['a', 'b', 'c']) as UncertaintyWeights;
      expect(state.namedParameters().map((p) => p.name)).toEqual(['log_vars']);
      expect(state.namedParameters()[0]!.noWeightDecay).toBe(true);
      expect(Array.from(state.logVars.dataSync())).toEqual([0, 0, 0]);
      tf.tidy(() => state.logVars.assign(tf.tensor1d([0.5, -0.2, 0.3])));
      const l = [2, 0, 3];
      const { value, grads } = tf.variableGrads(() => {
        const losses = l.map((v) => tf.scalar(v));
        return uncertaintyAggregator.aggregate(state, losses, {}).total;
      }, [state.logVars]);
      const expected = Math.exp(-0.5) * 2 + 0.5 + (Math.exp(-0.3) * 3 + 0.3);
      expect(value.dataSync()[0]).toBeCloseTo(expected, 5);
      const g = Array.from(grads[state.logVars.name]!.dataSync());
      expect(g[0]).toBeCloseTo(1 - Math.exp(-0.5) * 2, 5);
      expect(Math.abs(g[1]!)).toBe(0);
      expect(g[2]).toBeCloseTo(1 - Math.exp(-0.3) * 3, 5);
      const terms = tf.tidy(() => Array.from(uncertaintyTerms(tf.tensor1d(l), state.logVars as unknown as tf.Tensor1D).dataSync()));
      expect(Math.abs(terms[1]!)).toBe(0);
      tf.dispose([value, ...Object.values(grads)]);
      state.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}

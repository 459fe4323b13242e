import * as tf from '@tensorflow/tfjs';
import { createMaskingStrategy, disposeMask } from '@terramae/masking';
import { Rng, type EncoderOutput } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { tokensToGrid } from './tokens-to-grid';

for (const backend of testBackends()) {
  describe(`tokensToGrid (${backend})`, () => {
    beforeAll(() => useBackend(backend));
    it('puts each kept token on its patch, zeros elsewhere, drops the class token, and is differentiable', () => {
      const before = tf.memory().numTensors;
      const m = createMaskingStrategy('random', { ratio: 0.5 }).sample({ count: 2, grid: [2, 2], rng: new Rng(2) });
      const ids = m.idsKeep.arraySync();
      // token value = 10·(patch index + 1), class token = −1
      const tokens = tf.tidy(() => tf.variable(tf.concat([tf.fill([2, 1, 1], -1), tf.tensor3d(ids.map((row) => row.map((p) => [10 * (p + 1)])))], 1)));
      const encoded: EncoderOutput = { layout: 'tokens', features: tokens, dim: 1, grid: [2, 2], patchSize: 4, hasClassToken: true };
      const grid = tokensToGrid(encoded, m.idsRestore, m.mask, [2, 2]);
      const flat = tf.tidy(() => Array.from(grid.dataSync()));
      for (let n = 0; n < 2; n++) for (let i = 0; i < 4; i++) expect(flat[n * 4 + i]).toBe(m.maskValues[n * 4 + i] ? 0 : 10 * (i + 1));
      const g = tf.variableGrads(() => tokensToGrid(encoded, m.idsRestore, m.mask, [2, 2]).sum() as tf.Scalar, [tokens]);
      expect(tf.tidy(() => Array.from(g.grads[tokens.name]!.dataSync()))).toEqual([0, 1, 1, 0, 1, 1]);
      tf.dispose([grid, g.value, ...Object.values(g.grads), tokens]);
      disposeMask(m);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}

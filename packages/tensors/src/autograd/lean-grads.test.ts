import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { testBackends } from '@terramae/testing';
import { numericSuite } from '../testing-utils/index';
import { defineCustomGrad } from '../ops/custom-grad';
import { GradientError } from './errors';
import { leanGradsSupported, leanVariableGrads } from './lean-grads';
import { measurePeakMemory } from './peak-memory';

// A gradient that passes dy through unchanged (the same tensor object), to exercise shared entries.
const passThrough = defineCustomGrad<[tf.Tensor], tf.Tensor>((x) => ({ value: x.clone(), gradFunc: (dy) => dy }));

/** A small network touching broadcasting, reused inputs, multi-output ops, custom gradients and ops off the path. */
function buildNet(seed: number) {
  let net: ReturnType<typeof buildNetInner> | undefined;
  tf.tidy(() => {
    net = buildNetInner(seed);
    return [...net.vars, net.x];
  });
  return net as ReturnType<typeof buildNetInner>;
}

function buildNetInner(seed: number) {
  const w1 = tf.variable(tf.randomNormal([6, 8], 0, 0.5, 'float32', seed), true, `w1_${seed}_${tf.getBackend()}`);
  const b1 = tf.variable(tf.randomNormal([8], 0, 0.5, 'float32', seed + 1), true, `b1_${seed}_${tf.getBackend()}`);
  const w2 = tf.variable(tf.randomNormal([4, 3], 0, 0.5, 'float32', seed + 2), true, `w2_${seed}_${tf.getBackend()}`);
  const unused = tf.variable(tf.ones([2]), true, `unused_${seed}_${tf.getBackend()}`);
  const frozen = tf.variable(tf.ones([3]), false, `frozen_${seed}_${tf.getBackend()}`);
  const x = tf.randomNormal([5, 6], 0, 1, 'float32', seed + 3);
  const loss = (): tf.Scalar => {
    const h = passThrough(tf.tanh(x.matMul(w1).add(b1)));
    const [left, right] = tf.split(h, 2, 1) as [tf.Tensor, tf.Tensor];
    const mixed = left.mul(right).add(left); // `left` used twice
    const scale = tf.tidy(() => x.abs().mean()); // off the path from the variables
    const out = mixed.matMul(w2).mul(frozen).mul(scale);
    return out.square().mean().add(h.sum().mul(0.1)) as tf.Scalar;
  };
  return { vars: [w1, b1, w2, unused, frozen], x, loss };
}

for (const backend of testBackends()) {
  describe(`leanVariableGrads on ${backend}`, () => {
    numericSuite(backend);

    it('is supported by the installed tfjs', () => {
      expect(leanGradsSupported()).toBe(true);
    });

    it('returns the same value and gradients as tf.variableGrads, and leaks nothing', async () => {
      const net = buildNet(7);
      const before = tf.memory().numTensors;
      const stock = tf.variableGrads(net.loss, net.vars);
      const lean = leanVariableGrads(net.loss, net.vars);
      expect(Object.keys(lean.grads).sort()).toEqual(Object.keys(stock.grads).filter((k) => stock.grads[k]).sort());
      expect(await lean.value.data()).toEqual(await stock.value.data());
      for (const [name, g] of Object.entries(lean.grads)) {
        const ref = stock.grads[name] as tf.Tensor;
        expect(Array.from(await g.data())).toEqual(Array.from(await ref.data()));
      }
      tf.dispose([stock.value, lean.value, ...Object.values(stock.grads).filter((g): g is tf.Tensor => g != null), ...Object.values(lean.grads)]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([...net.vars, net.x]);
    });

    it('frees intermediate gradients and saved tensors during backward: peak memory well below tf.variableGrads', () => {
      const w = tf.tidy(() => tf.variable(tf.randomNormal([64, 64], 0, 0.1, 'float32', 1), true));
      const x = tf.randomNormal([256, 64], 0, 1, 'float32', 2);
      const deep = (): tf.Scalar => {
        let h: tf.Tensor = x;
        for (let i = 0; i < 24; i++) h = tf.relu(h.matMul(w)).mul(1.01);
        return h.square().mean() as tf.Scalar;
      };
      const peakOf = (fn: typeof tf.variableGrads) =>
        measurePeakMemory(() => {
          const { value, grads } = fn(deep, [w]);
          tf.dispose([value, ...Object.values(grads).filter((g): g is tf.Tensor => g != null)]);
        });
      const stock = peakOf(tf.variableGrads);
      const lean = peakOf(leanVariableGrads as typeof tf.variableGrads);
      // Both keep the 72 forward activations (64 KiB each) for backward; the stock pass also holds
      // all of their gradients until it ends, the lean one about one at a time.
      const activations = 72 * 256 * 64 * 4;
      expect(stock.peakBytes).toBeGreaterThan(1.8 * activations);
      expect(lean.peakBytes).toBeLessThan(1.15 * activations);
      expect(lean.peakBytes).toBeGreaterThan(activations);
      expect(lean.endBytes).toBe(0);
      tf.dispose([w, x]);
    });

    it('falls back to tf.variableGrads inside another gradient computation', async () => {
      const v = tf.tidy(() => tf.variable(tf.scalar(3), true, `nested_v_${backend}`));
      const outer = tf.grad((a: tf.Tensor) => {
        const { value, grads } = leanVariableGrads(() => v.mul(a).square() as tf.Scalar, [v]);
        return value.add((grads[v.name] as tf.Tensor).mul(0));
      });
      const a = tf.scalar(2);
      const g = outer(a);
      expect((await g.data())[0]).toBeCloseTo(2 * 3 * 3 * 2, 4); // d/da (v·a)² = 2·v²·a
      tf.dispose([g, v, a]);
    });

    it('names bad loss functions and leaves no tensors behind', () => {
      const v = tf.tidy(() => tf.variable(tf.ones([3]), true));
      const frozen = tf.tidy(() => tf.variable(tf.ones([1]), false));
      const before = tf.memory().numTensors;
      expect(() => leanVariableGrads(() => v.mul(2) as unknown as tf.Scalar, [v])).toThrow(GradientError);
      expect(() => leanVariableGrads(() => v.mul(2) as unknown as tf.Scalar, [v])).toThrow(/must return a scalar tensor, but it returned a rank-1/);
      expect(() => leanVariableGrads(() => tf.scalar(1), [v])).toThrow(/does not depend on any of the variables/);
      expect(() => leanVariableGrads(() => v.sum() as tf.Scalar, [frozen])).toThrow(/none of the 1 variables is trainable/);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([v, frozen]);
    });
  });
}

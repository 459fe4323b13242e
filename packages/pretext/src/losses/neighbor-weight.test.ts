import * as tf from '@tensorflow/tfjs';
import { Rng } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossVisibilityWeight } from './neighbor-weight';

/** Loop implementation of the reference steps, for one `[N, H, W]` set of maps. */
function bruteWeight(n: number, h: number, w: number, k: number, l: Float32Array, e: Float32Array, vis: Float32Array, nvis: Float32Array): Float32Array {
  const seen = new Float32Array(n * h * w);
  for (let i = 0; i < seen.length; i++) {
    const r = (l[i] as number) === 0 ? 1 : Math.min(1, Math.max(0, (e[i] as number) / (l[i] as number)));
    seen[i] = (nvis[i] as number) > 0.5 ? r : 1;
  }
  const q = (k - 1) / 2;
  const out = new Float32Array(n * h * w);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let sum = 0;
        let count = 0;
        for (let dy = -q; dy <= q; dy++) {
          for (let dx = -q; dx <= q; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
            sum += seen[(b * h + yy) * w + xx] as number;
            count++;
          }
        }
        const i = (b * h + y) * w + x;
        out[i] = (vis[i] as number) > 0.5 ? 0 : sum / count;
      }
    }
  }
  return out;
}

describe('crossVisibilityWeight', () => {
  for (const backend of testBackends()) {
    describe(backend, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });

      it('follows ratio → clamp → 1 where the neighbour is unseen → k×k mean without padding → 0 on own-visible pixels', async () => {
        const [n, h, w, k] = [2, 6, 7, 3];
        const rng = new Rng(5);
        const size = n * h * w;
        const l = Float32Array.from({ length: size }, () => rng.uniform() * 2);
        const e = Float32Array.from({ length: size }, () => rng.uniform() * 3);
        const vis = Float32Array.from({ length: size }, () => (rng.uniform() < 0.3 ? 1 : 0));
        const nvis = Float32Array.from({ length: size }, () => (rng.uniform() < 0.6 ? 1 : 0));
        l[3] = 0; // L = 0 with E > 0: the reference's +∞ clamps to 1
        e[4] = 0;
        l[4] = 0; // 0/0: NaN in the reference, 1 here
        nvis[3] = 1;
        nvis[4] = 1;
        const before = tf.memory().numTensors;
        const t = (a: Float32Array) => tf.tensor4d(a, [n, h, w, 1]);
        const inputs = { reconError: t(l), neighbourError: t(e), visible: t(vis), neighbourVisible: t(nvis), kernel: k };
        const out = crossVisibilityWeight(inputs);
        const got = await out.data();
        const want = bruteWeight(n, h, w, k, l, e, vis, nvis);
        for (let i = 0; i < size; i++) expect(got[i]).toBeCloseTo(want[i] as number, 6);
        expect(Array.from(got).every(Number.isFinite)).toBe(true);
        out.dispose();
        Object.values(inputs).forEach((v) => typeof v !== 'number' && v.dispose());
        expect(tf.memory().numTensors).toBe(before);
      });

      it('is a constant of the loss: no gradient reaches L through it', async () => {
        const l = tf.variable(tf.tensor4d([0.5, 2, 1, 4], [1, 2, 2, 1]));
        const e = tf.tensor4d([1, 1, 0.2, 1], [1, 2, 2, 1]);
        const zeros = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
        const ones = tf.ones([1, 2, 2, 1]) as tf.Tensor4D;
        const before = tf.memory().numTensors;
        const { value, grads } = tf.variableGrads(
          () => l.mul(crossVisibilityWeight({ reconError: l as tf.Tensor4D, neighbourError: e, visible: zeros, neighbourVisible: ones, kernel: 1 })).sum() as tf.Scalar,
          [l],
        );
        // d/dL Σ L·w(L) with w treated as constant = w = clamp(E/L, 0, 1)
        expect(Array.from(await grads[l.name]!.data())).toEqual([1, 0.5, 0.2, 0.25].map((v) => Math.fround(v)));
        expect(await value.data()).toHaveLength(1);
        value.dispose();
        Object.values(grads).forEach((g) => g.dispose());
        expect(tf.memory().numTensors).toBe(before);
        [l, e, zeros, ones].forEach((x) => x.dispose());
      });

      it('rejects mismatched maps and even kernels with messages that name them', () => {
        const a = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
        const b = tf.zeros([1, 4, 5, 1]) as tf.Tensor4D;
        expect(() => crossVisibilityWeight({ reconError: a, neighbourError: b, visible: a, neighbourVisible: a })).toThrow(/neighbourError/);
        expect(() => crossVisibilityWeight({ reconError: a, neighbourError: a, visible: a, neighbourVisible: a, kernel: 4 })).toThrow(/odd/);
        a.dispose();
        b.dispose();
      });
    });
  }
});

// FCMAE masked mode: the dense emulation behaves as MMEarth's sparse (MinkowskiEngine) encoder.
import * as tf from '@tensorflow/tfjs';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbs, maxAbsDiff, perturb, randn, randomMask } from '../../test/convnextv2-utils';
import { ConvNeXtV2 } from './convnextv2';
import { convnextv2Atto } from './factories';

const SMALL = { depths: [1, 1, 2, 1], dims: [8, 12, 16, 20] } as const;

/** Pixels of the hidden patches of `x` replaced by large random values (and NaN in one band). */
function scrambleHidden(x: tf.Tensor4D, mask: tf.Tensor2D, patch: number, seed: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, hh, ww] = x.shape;
    const hidden = mask.reshape([b, hh / patch, 1, ww / patch, 1, 1]).tile([1, 1, patch, 1, patch, 1]).reshape([b, hh, ww, 1]);
    const noise = randn(x.shape, seed, 50);
    return tf.where(hidden.greater(0.5), noise, x) as tf.Tensor4D;
  });
}

for (const backend of testBackends()) {
  describe(`ConvNeXt V2 masked mode on ${backend}`, () => {
    beforeAll(async () => useBackend(backend));

    it('atto: visible outputs do not depend on the pixels of hidden patches; hidden cells are zero', async () => {
      const model = convnextv2Atto({ seed: 1 });
      perturb(model, 2);
      for (const [trial, hidden] of [[0, 10], [1, 3], [2, 15]] as const) {
        const x = randn([2, 32, 32, 12], 10 + trial) as tf.Tensor4D;
        const mask = randomMask(2, 16, hidden, 20 + trial);
        const x2 = scrambleHidden(x, mask, 8, 30 + trial);
        const before = tf.memory().numTensors + 4; // + the outputs and masks of the two forwards
        const a = model.forward(x, { mask });
        const b = model.forward(x2, { mask });
        expect(a.features.shape).toEqual([2, 4, 4, 320]);
        expect(a.grid).toEqual([4, 4]);
        const visible = tf.tidy(() => tf.scalar(1).sub(mask).reshape([2, 4, 4, 1]));
        const hiddenCells = mask.reshape([2, 4, 4, 1]);
        const products = [a.features.mul(visible), b.features.mul(visible), a.features.mul(hiddenCells), b.features.mul(hiddenCells)];
        expect(await maxAbsDiff(products[0]!, products[1]!)).toBe(0);
        expect(await maxAbs(products[2]!)).toBe(0);
        expect(await maxAbs(products[3]!)).toBe(0);
        expect(await maxAbs(a.features)).toBeGreaterThan(0);
        expect(Array.from(await a.mask!.data())).toEqual(Array.from(await mask.data()));
        tf.dispose([visible, hiddenCells, ...products]);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([a.features, a.mask!, b.features, b.mask!]);
        tf.dispose([x, x2, mask]);
      }
      model.dispose();
    });

    it('equals the dense "same" forward on the crop of a visible rectangle (sparse semantics)', async () => {
      // 48×40 px at patch 8: a 6×5 grid; only rows 1..3, cols 2..3 are visible in sample 0.
      const model = new ConvNeXtV2({ ...SMALL, patchSize: 8, grnEps: 1e-6, maskedGrnStatistics: 'sample', seed: 3 });
      perturb(model, 4);
      const x = randn([2, 48, 40, 12], 5) as tf.Tensor4D;
      const m = new Float32Array(2 * 30).fill(1);
      for (let r = 1; r <= 3; r++) for (let c = 2; c <= 3; c++) m[r * 5 + c] = 0;
      for (let i = 0; i < 30; i++) m[30 + i] = m[i] as number;
      const mask = tf.tensor2d(m, [2, 30]);
      const out = model.forward(x, { mask });
      const crop = x.slice([0, 8, 16, 0], [2, 24, 16, 12]);
      const dense = model.forward(crop);
      expect(dense.features.shape).toEqual([2, 3, 2, 20]);
      const part = out.features.slice([0, 1, 2, 0], [2, 3, 2, 20]);
      expect(await maxAbsDiff(part, dense.features)).toBeLessThan(2e-5 * (await maxAbs(dense.features)));
      tf.dispose([x, mask, out.features, out.mask!, crop, dense.features, part]);
      model.dispose();
    });

    it('batch-global GRN statistics: an all-hidden sample is zero and does not change the others', async () => {
      const model = new ConvNeXtV2({ ...SMALL, patchSize: 8, grnEps: 1e-6, seed: 6 });
      expect(model.config.maskedGrnStatistics).toBe('batch');
      perturb(model, 7);
      const x = randn([2, 32, 24, 12], 8) as tf.Tensor4D;
      const m = new Float32Array(2 * 12).fill(1);
      for (const i of [1, 2, 5, 6, 9]) m[i] = 0; // sample 0: an irregular visible set; sample 1: all hidden
      const mask = tf.tensor2d(m, [2, 12]);
      const out = model.forward(x, { mask });
      expect(await maxAbs(out.features.slice([1, 0, 0, 0], [1, 4, 3, 20]))).toBe(0);
      const alone = model.forward(x.slice([0, 0, 0, 0], [1, 32, 24, 12]), { mask: mask.slice([0, 0], [1, 12]) });
      expect(await maxAbsDiff(out.features.slice([0, 0, 0, 0], [1, 4, 3, 20]), alone.features)).toBeLessThan(1e-5);
      expect(Array.from(await out.features.data()).every(Number.isFinite)).toBe(true);
      tf.dispose([x, mask, out.features, out.mask!, alone.features, alone.mask!]);
      model.dispose();
    });

    it('batch vs sample statistics: only batch mixes samples, and both agree for one sample', async () => {
      const make = (statistics: 'batch' | 'sample') => {
        const m = new ConvNeXtV2({ ...SMALL, maskedGrnStatistics: statistics, seed: 9 });
        perturb(m, 10);
        return m;
      };
      const batch = make('batch');
      const sample = make('sample');
      const x = randn([2, 16, 16, 12], 11) as tf.Tensor4D;
      const x2 = tf.concat([x.slice([0, 0, 0, 0], [1, 16, 16, 12]), randn([1, 16, 16, 12], 12)]) as tf.Tensor4D;
      const mask = tf.tensor2d([[0, 1, 0, 0], [1, 0, 0, 1]]);
      const first = (m: ConvNeXtV2, input: tf.Tensor4D, k: tf.Tensor2D, n = 2) => {
        const o = m.forward(input, { mask: k });
        const f = o.features.slice([0, 0, 0, 0], [1, 2, 2, 20]);
        tf.dispose([o.features, o.mask!]);
        return n ? f : f;
      };
      const b1 = first(batch, x, mask);
      const b2 = first(batch, x2, mask);
      const s1 = first(sample, x, mask);
      const s2 = first(sample, x2, mask);
      expect(await maxAbsDiff(b1, b2)).toBeGreaterThan(1e-4);
      expect(await maxAbsDiff(s1, s2)).toBe(0);
      const one = x.slice([0, 0, 0, 0], [1, 16, 16, 12]) as tf.Tensor4D;
      const oneMask = mask.slice([0, 0], [1, 4]);
      const bOne = first(batch, one, oneMask);
      const sOne = first(sample, one, oneMask);
      expect(await maxAbsDiff(bOne, sOne)).toBeLessThan(1e-5);
      tf.dispose([x, x2, mask, b1, b2, s1, s2, one, oneMask, bOne, sOne]);
      batch.dispose();
      sample.dispose();
    });

    it('an all-visible mask with per-sample statistics equals the dense forward', async () => {
      const model = new ConvNeXtV2({ ...SMALL, patchSize: 16, grnEps: 1e-6, maskedGrnStatistics: 'sample', seed: 13 });
      perturb(model, 14);
      const x = randn([2, 32, 32, 12], 15) as tf.Tensor4D;
      const mask = tf.zeros([2, 4]) as tf.Tensor2D;
      const a = model.forward(x, { mask });
      const b = model.forward(x);
      expect(a.features.shape).toEqual([2, 2, 2, 20]);
      expect(await maxAbsDiff(a.features, b.features)).toBeLessThan(1e-5 * (await maxAbs(b.features)));
      tf.dispose([x, mask, a.features, a.mask!, b.features]);
      model.dispose();
    });

    it('dropZeroPixels: a visible patch whose bands are all zero counts as hidden (to_sparse)', async () => {
      const model = new ConvNeXtV2({ ...SMALL, seed: 16 });
      perturb(model, 17);
      const x = tf.tidy(() => {
        const keep = new Float32Array(16 * 16).fill(1);
        for (let r = 8; r < 16; r++) keep.fill(0, r * 16, r * 16 + 8); // patch (1, 0): rows 8..15, cols 0..7
        return randn([1, 16, 16, 12], 18).mul(tf.tensor4d(keep, [1, 16, 16, 1])) as tf.Tensor4D;
      });
      const open = tf.zeros([1, 4]) as tf.Tensor2D;
      const hidden = tf.tensor2d([[0, 0, 1, 0]]);
      const a = model.forward(x, { mask: open });
      const b = model.forward(x, { mask: hidden });
      expect(await maxAbsDiff(a.features, b.features)).toBe(0);
      const kept = new ConvNeXtV2({ ...SMALL, seed: 16, dropZeroPixels: false });
      perturb(kept, 17);
      const c = kept.forward(x, { mask: open });
      expect(await maxAbsDiff(a.features, c.features)).toBeGreaterThan(1e-4);
      tf.dispose([x, open, hidden, a.features, a.mask!, b.features, b.mask!, c.features, c.mask!]);
      model.dispose();
      kept.dispose();
    });

    it('masked mode uses the sparse geometry whatever the dense padding', async () => {
      const model = new ConvNeXtV2({ ...SMALL, padding: 'finetune', seed: 19 });
      const x = randn([1, 56, 56, 12], 20) as tf.Tensor4D;
      const mask = randomMask(1, 49, 29, 21);
      const dense = model.forward(x);
      const masked = model.forward(x, { mask });
      expect(dense.grid).toEqual([6, 6]);
      expect(masked.grid).toEqual([7, 7]);
      tf.dispose([x, mask, dense.features, masked.features, masked.mask!]);
      model.dispose();
    });
  });
}

import * as tf from '@tensorflow/tfjs';
import { Rng } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { maeReconstructionLoss } from './mae-loss';
import { normalizeByPatchStats } from './patch-norm';

/** MAE forward_loss written as loops over NHWC images (patch order row-major, inside a patch (row, col, channel)). */
function bruteLoss(img: Float32Array, pred: Float32Array, mask: Float32Array, n: number, hh: number, ww: number, c: number, p: number, normPix: boolean): number {
  const gh = hh / p;
  const gw = ww / p;
  const d = p * p * c;
  let num = 0;
  let den = 0;
  for (let b = 0; b < n; b++) {
    for (let gi = 0; gi < gh; gi++) {
      for (let gj = 0; gj < gw; gj++) {
        const t: number[] = [];
        for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) for (let ch = 0; ch < c; ch++) t.push(img[((b * hh + gi * p + i) * ww + gj * p + j) * c + ch] as number);
        if (normPix) {
          const mean = t.reduce((s, v) => s + v, 0) / d;
          const variance = t.reduce((s, v) => s + (v - mean) ** 2, 0) / (d - 1);
          for (let k = 0; k < d; k++) t[k] = ((t[k] as number) - mean) / Math.sqrt(variance + 1e-6);
        }
        const patch = gi * gw + gj;
        let mse = 0;
        for (let k = 0; k < d; k++) mse += ((pred[(b * gh * gw + patch) * d + k] as number) - (t[k] as number)) ** 2;
        const m = mask[b * gh * gw + patch] as number;
        num += (mse / d) * m;
        den += m;
      }
    }
  }
  return num / den;
}

describe('maeReconstructionLoss', () => {
  for (const backend of testBackends()) {
    describe(backend, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });

      for (const normPix of [true, false]) {
        it(`is the per-patch MSE averaged over removed patches (normPixLoss ${normPix})`, async () => {
          const rng = new Rng(3);
          const [n, hh, ww, c, p] = [2, 4, 6, 3, 2];
          const l = (hh / p) * (ww / p);
          const imgData = rng.normalArray(n * hh * ww * c);
          const predData = rng.normalArray(n * l * p * p * c);
          const maskData = Float32Array.from({ length: n * l }, (_, i) => (i % 4 === 0 ? 0 : 1));
          const img = tf.tensor4d(imgData, [n, hh, ww, c]);
          const pred = tf.tensor3d(predData, [n, l, p * p * c]);
          const mask = tf.tensor2d(maskData, [n, l]);
          const before = tf.memory().numTensors;
          const r = maeReconstructionLoss(pred, img, mask, p, { normPixLoss: normPix });
          expect(await r.loss.data()).toHaveLength(1);
          expect((await r.loss.data())[0]).toBeCloseTo(bruteLoss(imgData, predData, maskData, n, hh, ww, c, p, normPix), 4);
          r.loss.dispose();
          r.target.dispose();
          expect(tf.memory().numTensors).toBe(before);
          [img, pred, mask].forEach((t) => t.dispose());
        });
      }

      it('gives no gradient to the prediction of visible patches', async () => {
        const rng = new Rng(4);
        const img = tf.tensor4d(rng.normalArray(1 * 4 * 4 * 1), [1, 4, 4, 1]);
        const pred = tf.variable(tf.tensor3d(rng.normalArray(4 * 4), [1, 4, 4]));
        const mask = tf.tensor2d([[1, 0, 1, 0]]);
        const { value, grads } = tf.variableGrads(() => maeReconstructionLoss(pred as tf.Tensor3D, img, mask, 2, { normPixLoss: true }).loss, [pred]);
        const g = await grads[pred.name]!.array() as number[][][];
        expect(g[0]![1]!.every((v) => v === 0)).toBe(true);
        expect(g[0]![0]!.some((v) => v !== 0)).toBe(true);
        [img, pred, mask, value, ...Object.values(grads)].forEach((t) => t.dispose());
      });

      it('normalizeByPatchStats applies the target statistics to the other tensors', async () => {
        const target = tf.tensor3d([[[1, 3, 5, 7]]]);
        const other = tf.tensor3d([[[4, 4, 4, 4]]]);
        const [t, o] = normalizeByPatchStats(target, [other], 0);
        const std = Math.sqrt(20 / 3); // unbiased variance of 1, 3, 5, 7
        Array.from(await t!.data()).forEach((v, i) => expect(v).toBeCloseTo(([1, 3, 5, 7][i]! - 4) / std, 5));
        expect(Array.from(await o!.data())).toEqual([0, 0, 0, 0]);
        [target, other, t!, o!].forEach((x) => x.dispose());
      });

      it('rejects a prediction that does not match the patchified image', () => {
        const img = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
        const pred = tf.zeros([1, 4, 5]) as tf.Tensor3D;
        const mask = tf.zeros([1, 4]) as tf.Tensor2D;
        expect(() => maeReconstructionLoss(pred, img, mask, 2, { normPixLoss: false })).toThrow(/prediction \[1, 4, 5\]/);
        [img, pred, mask].forEach((x) => x.dispose());
      });
    });
  }
});

import * as tf from '@tensorflow/tfjs';
import { Rng, patchify } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeByPatchStats } from '../mae/patch-norm';
import { neighborReconstructionLoss } from './neighbor-loss';
import { visiblePixels } from './pixel-visibility';

const [pairs, h, w, c, p] = [2, 8, 8, 2, 4];
const l = (h / p) * (w / p);

function setup(seed: number, boxes: number[]) {
  const rng = new Rng(seed);
  return {
    images: tf.tensor4d(rng.normalArray(pairs * 2 * h * w * c), [pairs * 2, h, w, c]),
    pred: tf.variable(tf.tensor3d(rng.normalArray(pairs * 2 * l * p * p * c), [pairs * 2, l, p * p * c])),
    mask: tf.tensor2d([1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1], [pairs * 2, l]),
    boxes: tf.tensor3d(boxes, [pairs, 2, 4]),
  };
}

describe('neighborReconstructionLoss', () => {
  for (const backend of testBackends()) {
    describe(backend, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });

      it('equals the masked MSE when the views do not overlap (weight 1 on every hidden pixel)', async () => {
        const s = setup(1, [0, 10, 10, 0, 20, 10, 30, 0, 0, 10, 10, 0, 0, 40, 10, 30]);
        const before = tf.memory().numTensors;
        const r = neighborReconstructionLoss({ pred: s.pred as tf.Tensor3D, images: s.images, mask: s.mask, boxes: s.boxes, patchSize: p }, { normPixLoss: true });
        const seen = r.neighbourVisible.sum();
        expect(Array.from(await seen.data())).toEqual([0]);
        seen.dispose();
        const [weighted, masked] = [(await r.weightedLoss.data())[0]!, (await r.maskedMse.data())[0]!];
        expect(weighted).toBeCloseTo(masked, 5);
        expect(masked).toBeGreaterThan(0);
        tf.dispose(r as unknown as tf.TensorContainer);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose(s as unknown as tf.TensorContainer);
      });

      it('down-weights hidden pixels the visible neighbour already predicts (weighted ≤ masked MSE) and is 0 on visible pixels', async () => {
        const s = setup(2, [0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 10, 0, 2, 10, 12, 0]);
        const r = neighborReconstructionLoss({ pred: s.pred as tf.Tensor3D, images: s.images, mask: s.mask, boxes: s.boxes, patchSize: p }, { normPixLoss: true });
        const [weighted, masked] = [(await r.weightedLoss.data())[0]!, (await r.maskedMse.data())[0]!];
        expect(weighted).toBeLessThan(masked);
        const [onVisible, wmax] = tf.tidy(() => [r.weight.mul(r.visible).sum(), r.weight.max()]);
        expect((await onVisible!.data())[0]).toBe(0);
        expect((await wmax!.data())[0]).toBeLessThanOrEqual(1);
        tf.dispose([onVisible!, wmax!]);
        tf.dispose(r as unknown as tf.TensorContainer);
        tf.dispose(s as unknown as tf.TensorContainer);
      });

      it('is 0 (not NaN) when the prediction is the normalised target', async () => {
        const s = setup(3, [0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 10, 0]);
        const exact = tf.tidy(() => normalizeByPatchStats(patchify(s.images, p))[0]!);
        const r = neighborReconstructionLoss({ pred: exact, images: s.images, mask: s.mask, boxes: s.boxes, patchSize: p }, { normPixLoss: true });
        expect(Array.from(await r.weightedLoss.data())).toEqual([0]);
        expect(Array.from(await r.maskedMse.data())).toEqual([0]);
        tf.dispose([exact, r as unknown as tf.TensorContainer, s as unknown as tf.TensorContainer]);
      });

      it('sends gradient only through L: d loss / d pred = 2 (pred − target) · w / (C · #hidden pixels)', async () => {
        const s = setup(4, [0, 10, 10, 0, 3, 12, 13, 2, 0, 10, 10, 0, 1, 9, 11, -1]);
        const { value, grads } = tf.variableGrads(
          () => neighborReconstructionLoss({ pred: s.pred as tf.Tensor3D, images: s.images, mask: s.mask, boxes: s.boxes, patchSize: p }, { normPixLoss: false }).weightedLoss,
          [s.pred],
        );
        const r = neighborReconstructionLoss({ pred: s.pred as tf.Tensor3D, images: s.images, mask: s.mask, boxes: s.boxes, patchSize: p }, { normPixLoss: false });
        const want = tf.tidy(() => {
          const hidden = tf.scalar(1).sub(visiblePixels(s.mask, [h / p, w / p], p)).sum();
          const perPixel = r.predImage.sub(r.target).mul(2).mul(r.weight).div(hidden.mul(c)) as tf.Tensor4D;
          return patchify(perPixel, p);
        });
        const got = await grads[s.pred.name]!.data();
        const ref = await want.data();
        ref.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
        tf.dispose([value, want, r as unknown as tf.TensorContainer, s as unknown as tf.TensorContainer, ...Object.values(grads)]);
      });
    });
  }
});

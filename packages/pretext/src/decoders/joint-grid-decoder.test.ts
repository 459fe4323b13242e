import * as tf from '@tensorflow/tfjs';
import { Rng } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { DecoderInputError } from './decoder-input-error';
import { JointGridDecoder } from './joint-grid-decoder';

const [h, w, enc, dec, out] = [2, 2, 12, 16, 4];
const L = h * w;

function decoder(): JointGridDecoder {
  return new JointGridDecoder({ encoderDim: enc, decoderDim: dec, depth: 1, numHeads: 4, outputDim: out, rng: new Rng(6) });
}

describe('JointGridDecoder', () => {
  for (const backend of testBackends()) {
    describe(backend, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });

      it('ignores features at hidden cells, attends across views, and uses the boxes', async () => {
        const d = decoder();
        const rng = new Rng(1);
        const feats = tf.tensor4d(rng.normalArray(2 * L * enc), [2, h, w, enc]);
        const mask = tf.tensor2d([[1, 0, 0, 1], [0, 1, 1, 1]]);
        const boxes = tf.tensor3d([[[0, 32, 24, 8], [8, 24, 32, 0]]]);
        const before = tf.memory().numTensors;
        const a = d.forward({ features: feats, mask, views: 2, boxes });
        expect(a.shape).toEqual([2, L, out]);
        const hiddenChanged = tf.tidy(() => feats.add(mask.reshape([2, h, w, 1]).mul(5)) as tf.Tensor4D);
        const b = d.forward({ features: hiddenChanged, mask, views: 2, boxes });
        const visibleOfView1Changed = tf.tidy(() => feats.add(tf.tensor4d([0, 0, 0, 0, 1, 0, 0, 0], [2, h, w, 1]).mul(5)) as tf.Tensor4D);
        const c = d.forward({ features: visibleOfView1Changed, mask, views: 2, boxes });
        const moved = tf.tensor3d([[[0, 32, 24, 8], [0, 32, 24, 8]]]);
        const e = d.forward({ features: feats, mask, views: 2, boxes: moved });
        const [da, db, dc, de] = await Promise.all([a.data(), b.data(), c.data(), e.data()]);
        da.forEach((v, i) => expect(db[i]).toBeCloseTo(v, 5));
        expect(Array.from(dc.slice(0, L * out)).some((v, i) => Math.abs(v - (da[i] as number)) > 1e-4)).toBe(true);
        expect(Array.from(de).some((v, i) => Math.abs(v - (da[i] as number)) > 1e-4)).toBe(true);
        tf.dispose([a, b, c, e, hiddenChanged, visibleOfView1Changed, moved]);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([feats, mask, boxes]);
        d.dispose();
      });

      it('gives every trainable parameter a non-zero gradient and has NeighborMAE decoder names', () => {
        const d = decoder();
        expect(d.namedParameters().map((p) => p.name)).toEqual(expect.arrayContaining(['decoder_embed.weight', 'mask_token', 'decoder_img_embed', 'decoder_blocks.0.attn.qkv.weight', 'decoder_norm.bias', 'decoder_pred.weight']));
        const rng = new Rng(2);
        const feats = tf.tensor4d(rng.normalArray(4 * L * enc), [4, h, w, enc]);
        const mask = tf.tensor2d([[1, 0, 0, 1], [0, 1, 1, 1], [1, 1, 0, 0], [0, 0, 1, 1]]);
        const boxes = tf.tensor3d([[[0, 32, 24, 8], [8, 24, 32, 0]], [[0, 32, 32, 0], [4, 28, 28, 4]]]);
        const target = tf.tensor3d(rng.normalArray(4 * L * out), [4, L, out]);
        const vars = [...d.trainableVariables().entries()];
        const { value, grads } = tf.variableGrads(() => d.forward({ features: feats, mask, views: 2, boxes }).sub(target).square().mean() as tf.Scalar, vars.map(([, v]) => v));
        for (const [name, v] of vars) expect(tf.tidy(() => grads[v.name]!.abs().max().dataSync()[0]), name).toBeGreaterThan(0);
        tf.dispose([feats, mask, boxes, target, value, ...Object.values(grads)]);
        d.dispose();
      });

      it('rejects boxes that do not match the views', () => {
        const d = decoder();
        const feats = tf.zeros([2, h, w, enc]) as tf.Tensor4D;
        const mask = tf.zeros([2, L]) as tf.Tensor2D;
        const boxes = tf.zeros([2, 2, 4]) as tf.Tensor3D;
        expect(() => d.forward({ features: feats, mask, views: 2, boxes })).toThrow(DecoderInputError);
        tf.dispose([feats, mask, boxes]);
        d.dispose();
      });
    });
  }
});

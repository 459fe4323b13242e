import * as tf from '@tensorflow/tfjs';
import { Rng } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { DecoderInputError } from './decoder-input-error';
import { MultiViewMaeDecoder } from './multi-view-mae-decoder';

const [gh, gw, enc, dec, out, k] = [2, 2, 8, 16, 3, 2];
const L = gh * gw;
const grid: [number, number] = [gh, gw];

function decoder(): MultiViewMaeDecoder {
  return new MultiViewMaeDecoder({ encoderDim: enc, decoderDim: dec, depth: 1, numHeads: 2, outputDim: out, numViews: 2, rng: new Rng(5) });
}

function restoreOf(shuffle: number[]): number[] {
  const r = new Array<number>(shuffle.length);
  shuffle.forEach((patch, rank) => (r[patch] = rank));
  return r;
}

/** One sample, two views: shuffles per view, joint tokens [1, 1 + 2K, enc] built from per-patch rows. */
function inputs(shuffles: number[][], perPatch: tf.Tensor3D, cls: tf.Tensor2D, keep: number[], boxes: tf.Tensor3D) {
  return tf.tidy(() => {
    const rows = shuffles.map((s, v) => tf.gather(perPatch.slice([v, 0, 0], [1, L, enc]).reshape([L, enc]), s.slice(0, k)));
    const tokens = tf.concat([cls, ...rows], 0).reshape([1, 1 + 2 * k, enc]) as tf.Tensor3D;
    return {
      tokens,
      views: 2,
      grid,
      idsShuffle: tf.tensor2d(shuffles, [2, L], 'int32'),
      idsRestore: tf.tensor2d(shuffles.map(restoreOf), [2, L], 'int32'),
      keep,
      boxes: boxes.clone(),
    };
  });
}

describe('MultiViewMaeDecoder', () => {
  beforeAll(async () => {
    await useBackend(testBackends()[0] ?? 'cpu');
  });

  it('has NeighborMAE parameter names and shapes', () => {
    const d = decoder();
    const torch = d.torchStateDict();
    expect(Object.keys(torch).sort()).toEqual(
      [
        'decoder_embed.weight',
        'decoder_embed.bias',
        'mask_token',
        'decoder_img_embed',
        ...['norm1.weight', 'norm1.bias', 'attn.qkv.weight', 'attn.qkv.bias', 'attn.proj.weight', 'attn.proj.bias', 'norm2.weight', 'norm2.bias', 'mlp.fc1.weight', 'mlp.fc1.bias', 'mlp.fc2.weight', 'mlp.fc2.bias'].map((n) => `decoder_blocks.0.${n}`),
        'decoder_norm.weight',
        'decoder_norm.bias',
        'decoder_pred.weight',
        'decoder_pred.bias',
      ].sort(),
    );
    expect(torch['decoder_img_embed']!.shape).toEqual([1, 2, dec]);
    tf.dispose(Object.values(torch));
    d.dispose();
  });

  for (const backend of testBackends()) {
    describe(backend, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });

      it('is independent of the order of kept and hidden patches, and attends across views', async () => {
        const d = decoder();
        const rng = new Rng(8);
        const perPatch = tf.tensor3d(rng.normalArray(2 * L * enc), [2, L, enc]);
        const cls = tf.tensor2d(rng.normalArray(enc), [1, enc]);
        const boxes = tf.tensor3d([[[0, 32, 20, 8], [10, 30, 32, 0]]]);
        const before = tf.memory().numTensors;
        const run = (shuffles: number[][], feats: tf.Tensor3D, keep = [k, k]) =>
          tf.tidy(() => {
            const x = inputs(shuffles, feats, cls, keep, boxes);
            return d.forward(x);
          });
        const a = run([[3, 0, 1, 2], [1, 2, 0, 3]], perPatch);
        const b = run([[0, 3, 2, 1], [2, 1, 3, 0]], perPatch);
        expect(a.shape).toEqual([2, L, out]);
        const [da, db] = [await a.data(), await b.data()];
        da.forEach((v, i) => expect(db[i]).toBeCloseTo(v, 5));
        // changing only view 1's kept tokens changes view 0's prediction (joint attention)
        const other = tf.tidy(() => tf.concat([perPatch.slice([0, 0, 0], [1, L, enc]), perPatch.slice([1, 0, 0], [1, L, enc]).mul(-3)], 0) as tf.Tensor3D);
        const c = run([[3, 0, 1, 2], [1, 2, 0, 3]], other);
        const dc = await c.data();
        const view0 = L * out;
        expect(Array.from(dc.slice(0, view0)).some((v, i) => Math.abs(v - (da[i] as number)) > 1e-4)).toBe(true);
        // a kept slot beyond the view's keep count is a mask token: its encoder value does not matter
        const e = run([[3, 0, 1, 2], [1, 2, 0, 3]], perPatch, [1, k]);
        const changedSlot = tf.tidy(() => {
          const m = tf.tensor3d(Float32Array.from({ length: 2 * L * enc }, (_, i) => (Math.floor(i / enc) === 0 ? 9 : 1)), [2, L, enc]);
          return perPatch.mul(m) as tf.Tensor3D; // scales patch 0 of view 0 (shuffled slot 1 there)
        });
        const f = run([[3, 0, 1, 2], [1, 2, 0, 3]], changedSlot, [1, k]);
        const [de, df] = [await e.data(), await f.data()];
        de.forEach((v, i) => expect(df[i]).toBeCloseTo(v, 5));
        tf.dispose([a, b, c, e, f, other, changedSlot]);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([perPatch, cls, boxes]);
        d.dispose();
      });

      it('gives every trainable parameter a non-zero gradient', () => {
        const d = decoder();
        const rng = new Rng(9);
        const perPatch = tf.tensor3d(rng.normalArray(2 * L * enc), [2, L, enc]);
        const cls = tf.tensor2d(rng.normalArray(enc), [1, enc]);
        const boxes = tf.tensor3d([[[0, 32, 20, 8], [10, 30, 32, 0]]]);
        const x = inputs([[3, 0, 1, 2], [1, 2, 0, 3]], perPatch, cls, [1, 2], boxes);
        const target = tf.tensor3d(rng.normalArray(2 * L * out), [2, L, out]);
        const vars = [...d.trainableVariables().entries()];
        const { value, grads } = tf.variableGrads(() => d.forward(x).sub(target).square().mean() as tf.Scalar, vars.map(([, v]) => v));
        for (const [name, v] of vars) expect(tf.tidy(() => grads[v.name]!.abs().max().dataSync()[0]), name).toBeGreaterThan(0);
        tf.dispose([perPatch, cls, boxes, target, value, x as unknown as tf.TensorContainer, ...Object.values(grads)]);
        d.dispose();
      });

      it('rejects a per-view (non-joint) encoder output with an explanation', () => {
        const d = decoder();
        const x = {
          tokens: tf.zeros([1, 2 * k + 2, enc]) as tf.Tensor3D,
          views: 2,
          grid,
          idsShuffle: tf.zeros([2, L], 'int32') as tf.Tensor2D,
          idsRestore: tf.zeros([2, L], 'int32') as tf.Tensor2D,
          keep: [k, k],
          boxes: tf.zeros([1, 2, 4]) as tf.Tensor3D,
        };
        expect(() => d.forward(x)).toThrow(DecoderInputError);
        expect(() => d.forward(x)).toThrow(/joint encoder output/);
        tf.dispose(x as unknown as tf.TensorContainer);
        d.dispose();
      });
    });
  }
});

import * as tf from '@tensorflow/tfjs';
import { Rng, posEmbed2dSinCos } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { DecoderInputError } from './decoder-input-error';
import { MaeDecoder } from './mae-decoder';

const [gh, gw, enc, dec, out] = [2, 3, 8, 8, 5];
const L = gh * gw;

function decoder(): MaeDecoder {
  return new MaeDecoder({ encoderDim: enc, decoderDim: dec, depth: 2, numHeads: 2, outputDim: out, grid: [gh, gw], rng: new Rng(11) });
}

/** Kept tokens for a shuffle: class token, then one token per kept patch (value derived from the patch index). */
function tokensFor(keptPatches: number[][], cls: tf.Tensor, perPatch: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => tf.stack(keptPatches.map((row) => tf.concat([cls, tf.gather(perPatch, row)], 0))) as tf.Tensor3D);
}

function restoreOf(shuffle: number[]): number[] {
  const r = new Array<number>(shuffle.length);
  shuffle.forEach((patch, rank) => (r[patch] = rank));
  return r;
}

describe('MaeDecoder', () => {
  beforeAll(async () => {
    await useBackend(testBackends()[0] ?? 'cpu');
  });

  it('has facebookresearch/mae parameter names, with a frozen sin-cos decoder_pos_embed', async () => {
    const d = decoder();
    const names = d.namedParameters().map((p) => p.name);
    for (const n of ['decoder_embed.weight', 'decoder_embed.bias', 'mask_token', 'decoder_pos_embed', 'decoder_blocks.1.attn.qkv.weight', 'decoder_blocks.0.mlp.fc2.bias', 'decoder_norm.weight', 'decoder_pred.weight', 'decoder_pred.bias']) {
      expect(names).toContain(n);
    }
    const torch = d.torchStateDict();
    expect(torch['decoder_embed.weight']!.shape).toEqual([dec, enc]);
    expect(torch['decoder_pred.weight']!.shape).toEqual([out, dec]);
    expect(torch['mask_token']!.shape).toEqual([1, 1, dec]);
    expect(torch['decoder_pos_embed']!.shape).toEqual([1, 1 + L, dec]);
    const pe = d.namedParameters().find((p) => p.name === 'decoder_pos_embed')!;
    expect(pe.trainable).toBe(false);
    const want = posEmbed2dSinCos(dec, gh, gw, true);
    expect(Array.from(await pe.variable.data())).toEqual(Array.from(await want.data()));
    tf.dispose([want, ...Object.values(torch)]);
    d.dispose();
  });

  for (const backend of testBackends()) {
    describe(backend, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });

      it('decodes in the original patch order whatever the order of the kept tokens', async () => {
        const d = decoder();
        const rng = new Rng(2);
        const cls = tf.tensor2d(rng.normalArray(enc), [1, enc]);
        const perPatch = tf.tensor2d(rng.normalArray(L * enc), [L, enc]);
        const shuffleA = [4, 1, 0, 2, 3, 5];
        const shuffleB = [1, 4, 5, 3, 0, 2]; // same kept set {1, 4}, other order and other hidden order
        const before = tf.memory().numTensors;
        const run = (shuffle: number[]) =>
          tf.tidy(() => {
            const tokens = tokensFor([shuffle.slice(0, 2)], cls, perPatch);
            const restore = tf.tensor2d([restoreOf(shuffle)], [1, L], 'int32');
            return d.forward({ tokens, idsRestore: restore });
          });
        const a = run(shuffleA);
        const b = run(shuffleB);
        expect(a.shape).toEqual([1, L, out]);
        const [da, db] = [await a.data(), await b.data()];
        da.forEach((v, i) => expect(db[i]).toBeCloseTo(v, 5));
        tf.dispose([a, b]);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([cls, perPatch]);
        d.dispose();
      });

      it('treats kept slots beyond an image keep count as mask tokens', async () => {
        const d = decoder();
        const rng = new Rng(3);
        const shuffle = [0, 1, 2, 3, 4, 5];
        const restore = tf.tensor2d([shuffle], [1, L], 'int32');
        const base = tf.tensor3d(rng.normalArray(4 * enc), [1, 4, enc]); // class + 3 kept slots
        const changed = tf.tidy(() => tf.concat([base.slice([0, 0, 0], [1, 3, enc]), tf.fill([1, 1, enc], 7)], 1) as tf.Tensor3D);
        const a = d.forward({ tokens: base, idsRestore: restore, keep: [2] });
        const b = d.forward({ tokens: changed, idsRestore: restore, keep: [2] });
        const c = d.forward({ tokens: changed, idsRestore: restore, keep: [3] });
        const [da, db, dc] = [await a.data(), await b.data(), await c.data()];
        da.forEach((v, i) => expect(db[i]).toBeCloseTo(v, 6));
        expect(dc.some((v, i) => Math.abs(v - (da[i] as number)) > 1e-4)).toBe(true);
        tf.dispose([restore, base, changed, a, b, c]);
        d.dispose();
      });

      it('gives every trainable parameter a non-zero gradient', () => {
        const d = decoder();
        const rng = new Rng(4);
        const tokens = tf.tensor3d(rng.normalArray(2 * 3 * enc), [2, 3, enc]);
        const restore = tf.tensor2d([restoreOf([5, 2, 0, 1, 3, 4]), restoreOf([1, 0, 3, 2, 5, 4])], [2, L], 'int32');
        const target = tf.tensor3d(rng.normalArray(2 * L * out), [2, L, out]);
        const vars = [...d.trainableVariables().entries()];
        const { value, grads } = tf.variableGrads(() => d.forward({ tokens, idsRestore: restore }).sub(target).square().mean() as tf.Scalar, vars.map(([, v]) => v));
        for (const [name, v] of vars) expect(tf.tidy(() => grads[v.name]!.abs().max().dataSync()[0]), name).toBeGreaterThan(0);
        tf.dispose([tokens, restore, target, value, ...Object.values(grads)]);
        d.dispose();
      });

      it('names the mismatch when idsRestore does not fit the grid', () => {
        const d = decoder();
        const tokens = tf.zeros([1, 3, enc]) as tf.Tensor3D;
        const restore = tf.zeros([1, L + 1], 'int32') as tf.Tensor2D;
        expect(() => d.forward({ tokens, idsRestore: restore })).toThrow(DecoderInputError);
        expect(() => d.forward({ tokens, idsRestore: restore })).toThrow(/idsRestore/);
        tf.dispose([tokens, restore]);
        d.dispose();
      });
    });
  }
});

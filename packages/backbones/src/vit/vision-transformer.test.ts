import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng, TerramaeError } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { VIT_SIZES, type VitOptions, type VitSizeName, vitParameterCount } from './config';
import { VitError } from './errors';
import { createVit } from './factories';
import { DEFAULT_VIEW_BOX, VisionTransformer } from './vision-transformer';

const TINY: VitOptions = { embedDim: 32, depth: 2, numHeads: 4, patchSize: 8, inChannels: 4, imageSize: 32, seed: 3 };

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0] as number);
}

/** Random kept indices: the first k of a seeded permutation per row. */
function randomKeep(rows: number, l: number, k: number, seed: number): tf.Tensor2D {
  const rng = new Rng(seed);
  const ids: number[] = [];
  for (let r = 0; r < rows; r++) ids.push(...rng.permutation(l).slice(0, k));
  return tf.tensor2d(ids, [rows, k], 'int32');
}

/** Scale every parameter away from its init (LN 1/0, zero biases) so that every one matters. */
function perturb(model: VisionTransformer, seed: number): void {
  const rng = new Rng(seed);
  const dict = tf.tidy(() =>
    Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k, v.add(tf.tensor(rng.normalArray(v.size, 0, 0.05), v.shape))])),
  );
  model.loadStateDict(dict);
  tf.dispose(Object.values(dict));
}

for (const backend of testBackends()) {
  describe(`VisionTransformer on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    describe('training-step contract (every size up to small, 2×32×32×4, patch 8)', () => {
      const cases: { size: VitSizeName; posEmbed: 'sincos' | 'box' }[] = [
        { size: 'tiny', posEmbed: 'sincos' },
        { size: 'tiny', posEmbed: 'box' },
        { size: 'small', posEmbed: 'sincos' },
      ];
      for (const { size, posEmbed } of cases) {
        it(`vit_${size} (${posEmbed}): finite output, a non-zero gradient for every trainable parameter, no leak`, () => {
          const model = createVit(size, { patchSize: 8, inChannels: 4, imageSize: 32, posEmbed, seed: 1 });
          expect(model.parameterCount(true)).toBe(vitParameterCount({ ...VIT_SIZES[size], patchSize: 8, inChannels: 4, imageSize: 32, posEmbed }));
          const before = tf.memory().numTensors;
          const views = posEmbed === 'box' ? 2 : 1;
          const batch = 2 * views;
          const x = tf.randomNormal([batch, 32, 32, 4], 0, 1, 'float32', 11) as tf.Tensor4D;
          const idsKeep = randomKeep(batch, 16, 4, 5);
          const keyMask = posEmbed === 'box' ? tf.tensor2d([[0, 0, 0, 1], [0, 0, 1, 1], [0, 0, 0, 0], [0, 0, 0, 1]]) : undefined;
          const boxes = posEmbed === 'box' ? tf.tensor3d([[[0, 32, 20, 10], [8, 28, 32, 0]], [[0, 32, 32, 0], [4, 30, 30, 4]]]) : undefined;
          const vars = model.trainableVariables();
          const { value, grads } = tf.variableGrads(() => {
            const out = model.forward(x, { idsKeep, views, ...(keyMask ? { keyMask } : {}), ...(boxes ? { boxes } : {}) });
            expect(out.features.shape).toEqual(posEmbed === 'box' ? [2, 1 + 2 * 4, model.dim] : [2, 5, model.dim]);
            expect(out.joint).toBe(posEmbed === 'box');
            const proj = tf.randomNormal(out.features.shape, 0, 1, 'float32', 12);
            return out.features.mul(proj).mean() as tf.Scalar;
          }, [...vars.values()]);
          expect(Number.isFinite(value.dataSync()[0])).toBe(true);
          for (const [name, v] of vars) {
            const g = grads[v.name] as tf.Tensor;
            expect(g, name).toBeDefined();
            const stats = tf.tidy(() => [g.abs().max().dataSync()[0] as number, g.isFinite().all().dataSync()[0] as number]);
            expect(stats[1], `${name} gradient finite`).toBe(1);
            expect(stats[0], `${name} gradient non-zero`).toBeGreaterThan(0);
          }
          // An SGD update, as a trainer step would apply.
          tf.tidy(() => {
            for (const v of vars.values()) v.assign(v.sub((grads[v.name] as tf.Tensor).mul(1e-3)));
          });
          tf.dispose([value, ...Object.values(grads), x, idsKeep, keyMask, boxes]);
          expect(tf.memory().numTensors).toBe(before);
          model.dispose();
        });
      }
    });

    describe('semantics', () => {
      let sincos: VisionTransformer;
      let box: VisionTransformer;
      beforeAll(() => {
        sincos = new VisionTransformer(TINY);
        box = new VisionTransformer({ ...TINY, posEmbed: 'box' });
        perturb(sincos, 1);
        perturb(box, 2);
      });
      afterAll(() => {
        sincos.dispose();
        box.dispose();
      });

      it('names and PyTorch shapes follow the reference state dicts', () => {
        const shapes = (m: VisionTransformer) => {
          const sd = m.torchStateDict();
          const out = Object.fromEntries(Object.entries(sd).filter(([k]) => !k.startsWith('blocks.')).map(([k, v]) => [k, v.shape]));
          tf.dispose(Object.values(sd));
          return out;
        };
        expect(shapes(sincos)).toEqual({
          cls_token: [1, 1, 32],
          pos_embed: [1, 17, 32],
          'patch_embed.proj.weight': [32, 4, 8, 8],
          'patch_embed.proj.bias': [32],
          'norm.weight': [32],
          'norm.bias': [32],
        });
        expect(shapes(box)).toEqual({
          cls_token: [1, 1, 32],
          img_embed: [1, 2, 32],
          'patch_embed.weight': [32, 256],
          'patch_embed.bias': [32],
          'norm.weight': [32],
          'norm.bias': [32],
        });
        const params = sincos.namedParameters();
        expect(params.filter((p) => !p.trainable).map((p) => p.name)).toEqual(['pos_embed']);
        expect(params.filter((p) => p.noWeightDecay).map((p) => p.name).sort()).toEqual(['cls_token', 'pos_embed']);
        expect(params.filter((p) => p.name.startsWith('blocks.1.')).length).toBe(12);
      });

      it('initialises tokens N(0, 0.02²), the MAE patch bias as Conv2d U(±1/√fanIn), NeighborMAE Linear bias zero', () => {
        const m = createVit('small', { patchSize: 8, inChannels: 4, imageSize: 32, seed: 4 });
        const b = createVit('tiny', { patchSize: 8, inChannels: 4, imageSize: 32, posEmbed: 'box', seed: 4 });
        tf.tidy(() => {
          const sd = m.stateDict();
          const cls = sd['cls_token']!;
          const std = cls.sub(cls.mean()).square().mean().sqrt().dataSync()[0]!;
          expect(std).toBeGreaterThan(0.015);
          expect(std).toBeLessThan(0.025);
          const bias = sd['patch_embed.proj.bias']!.abs();
          expect(bias.max().dataSync()[0]).toBeLessThanOrEqual(1 / Math.sqrt(256));
          expect(bias.max().dataSync()[0]).toBeGreaterThan(0.5 / Math.sqrt(256));
          const w = sd['patch_embed.proj.weight']!.abs().max().dataSync()[0]!;
          expect(w).toBeLessThanOrEqual(Math.sqrt(6 / (256 + 384)));
          expect(b.stateDict()['patch_embed.bias']!.abs().max().dataSync()[0]).toBe(0);
          expect(b.stateDict()['img_embed']!.abs().max().dataSync()[0]).toBeGreaterThan(0);
        });
        m.dispose();
        b.dispose();
      });

      it('the same seed gives the same weights', () => {
        const a = new VisionTransformer(TINY);
        const b = new VisionTransformer(TINY);
        const c = new VisionTransformer({ ...TINY, seed: 4 });
        const wa = a.stateDict()['blocks.1.attn.qkv.weight']!;
        expect(maxAbsDiff(wa, b.stateDict()['blocks.1.attn.qkv.weight']!)).toBe(0);
        expect(maxAbsDiff(wa, c.stateDict()['blocks.1.attn.qkv.weight']!)).toBeGreaterThan(0);
        [a, b, c].forEach((m) => m.dispose());
      });

      it('keeping every patch in order equals the dense forward; kept tokens are permutation-equivariant', () => {
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          const x = tf.randomNormal([2, 32, 32, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
          const dense = sincos.forward(x);
          expect(dense.features.shape).toEqual([2, 17, 32]);
          expect(dense.idsKeep).toBeUndefined();
          const all = tf.tensor2d([...Array(16).keys(), ...Array(16).keys()], [2, 16], 'int32');
          expect(maxAbsDiff(sincos.forward(x, { idsKeep: all }).features, dense.features)).toBeLessThan(1e-5);
          const ids = [[3, 9, 14, 0], [7, 1, 2, 15]];
          const perm = [[14, 3, 0, 9], [15, 7, 1, 2]];
          const a = sincos.forward(x, { idsKeep: tf.tensor2d(ids, [2, 4], 'int32') }).features;
          const b = sincos.forward(x, { idsKeep: tf.tensor2d(perm, [2, 4], 'int32') }).features;
          expect(maxAbsDiff(a.slice([0, 0, 0], [2, 1, 32]), b.slice([0, 0, 0], [2, 1, 32]))).toBeLessThan(1e-5);
          const order = [[3, 1, 4, 2], [4, 1, 2, 3]]; // position in `ids` of each entry of `perm`, +1 for the class token
          const reordered = tf.stack(order.map((o, r) => tf.gather(a.slice([r, 0, 0], [1, 5, 32]).squeeze([0]), o)));
          expect(maxAbsDiff(reordered, b.slice([0, 1, 0], [2, 4, 32]))).toBeLessThan(1e-5);
        });
        expect(tf.memory().numTensors).toBe(before);
      });

      it('a disabled key equals leaving the token out, for every enabled token (sincos and joint box)', () => {
        tf.tidy(() => {
          const x = tf.randomNormal([4, 32, 32, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
          const boxes = tf.tensor3d([[[0, 32, 24, 8], [8, 24, 32, 0]], [[2, 30, 30, 2], [0, 32, 16, 16]]]);
          const ids = randomKeep(4, 16, 5, 8);
          const keyMask = tf.tensor2d([[0, 0, 0, 1, 1], [0, 0, 0, 1, 1], [0, 0, 0, 1, 1], [0, 0, 0, 1, 1]]);
          const subset = ids.slice([0, 0], [4, 3]) as tf.Tensor2D;
          // sincos: each image alone
          const masked = sincos.forward(x, { idsKeep: ids, keyMask }).features;
          const reduced = sincos.forward(x, { idsKeep: subset }).features;
          expect(maxAbsDiff(masked.slice([0, 0, 0], [4, 4, 32]), reduced)).toBeLessThan(1e-5);
          // box: the two views of a sample attend jointly; enabled tokens are [cls, v0 0..2, v1 0..2]
          const jm = box.forward(x, { idsKeep: ids, keyMask, views: 2, boxes }).features;
          expect(jm.shape).toEqual([2, 11, 32]);
          const jr = box.forward(x, { idsKeep: subset, views: 2, boxes }).features;
          const enabled = tf.concat([jm.slice([0, 0, 0], [2, 4, 32]), jm.slice([0, 6, 0], [2, 3, 32])], 1);
          expect(maxAbsDiff(enabled, jr)).toBeLessThan(1e-5);
          // and the disabled tokens do change the result when they are keys
          const open = box.forward(x, { idsKeep: ids, views: 2, boxes }).features;
          expect(maxAbsDiff(open.slice([0, 0, 0], [2, 1, 32]), jm.slice([0, 0, 0], [2, 1, 32]))).toBeGreaterThan(1e-4);
        });
      });

      it('box mode: the views of a sample attend jointly, samples stay independent', () => {
        tf.tidy(() => {
          const x = tf.randomNormal([4, 32, 32, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
          const boxes = tf.tensor3d([[[0, 32, 24, 8], [8, 24, 32, 0]], [[2, 30, 30, 2], [0, 32, 16, 16]]]);
          const ids = randomKeep(4, 16, 4, 9);
          const y = box.forward(x, { idsKeep: ids, views: 2, boxes }).features;
          // change only view 1 of sample 0 (batch row 1)
          const x2 = tf.concat([x.slice([0, 0, 0, 0], [1, 32, 32, 4]), x.slice([1, 0, 0, 0], [1, 32, 32, 4]).add(1), x.slice([2, 0, 0, 0], [2, 32, 32, 4])]) as tf.Tensor4D;
          const y2 = box.forward(x2, { idsKeep: ids, views: 2, boxes }).features;
          expect(maxAbsDiff(y.slice([0, 0, 0], [1, 5, 32]), y2.slice([0, 0, 0], [1, 5, 32]))).toBeGreaterThan(1e-4); // cls and view 0 see view 1
          expect(maxAbsDiff(y.slice([1, 0, 0], [1, 9, 32]), y2.slice([1, 0, 0], [1, 9, 32]))).toBe(0);
          // the footprint boxes move the embedding
          const shifted = box.forward(x, { idsKeep: ids, views: 2, boxes: boxes.add(1) as tf.Tensor3D }).features;
          expect(maxAbsDiff(shifted, y)).toBeGreaterThan(1e-4);
        });
      });

      it('box mode: position embedding = box sin-cos + img_embed[view]; a single view defaults to the [0, 32]² box', () => {
        tf.tidy(() => {
          const pe0 = box.positionEmbedding([4, 4], 2);
          const explicit = box.positionEmbedding([4, 4], 2, 1, tf.tensor3d([[[...DEFAULT_VIEW_BOX]], [[...DEFAULT_VIEW_BOX]]]));
          expect(maxAbsDiff(pe0, explicit)).toBe(0);
          const two = box.positionEmbedding([4, 4], 2, 2, tf.tensor3d([[[...DEFAULT_VIEW_BOX], [...DEFAULT_VIEW_BOX]]]));
          const img = box.stateDict()['img_embed']!;
          const diff = two.slice([1, 0, 0], [1, 16, 32]).sub(two.slice([0, 0, 0], [1, 16, 32]));
          const expected = img.slice([0, 1, 0], [1, 1, 32]).sub(img.slice([0, 0, 0], [1, 1, 32]));
          expect(maxAbsDiff(diff, expected.tile([1, 16, 1]))).toBeLessThan(1e-6);
          const x = tf.randomNormal([1, 16, 24, 4], 0, 1, 'float32', 4) as tf.Tensor4D; // any grid is fine for box
          expect(box.forward(x).features.shape).toEqual([1, 7, 32]);
        });
      });

      it('sincos mode treats views as independent images', () => {
        tf.tidy(() => {
          const x = tf.randomNormal([4, 32, 32, 4], 0, 1, 'float32', 5) as tf.Tensor4D;
          const ids = randomKeep(4, 16, 4, 1);
          const out = sincos.forward(x, { idsKeep: ids, views: 2 });
          expect(out.joint).toBe(false);
          expect(out.features.shape).toEqual([4, 5, 32]);
          expect(maxAbsDiff(out.features, sincos.forward(x, { idsKeep: ids }).features)).toBe(0);
        });
      });

      it('returns new idsKeep / keyMask tensors and the layout facts', () => {
        const before = tf.memory().numTensors;
        const x = tf.zeros([2, 32, 32, 4]) as tf.Tensor4D;
        const ids = randomKeep(2, 16, 4, 2);
        const km = tf.zeros([2, 4]) as tf.Tensor2D;
        const out = sincos.forward(x, { idsKeep: ids, keyMask: km });
        expect(out.idsKeep).not.toBe(ids);
        expect([...out.idsKeep!.dataSync()]).toEqual([...ids.dataSync()]);
        expect(out).toMatchObject({ layout: 'tokens', dim: 32, grid: [4, 4], patchSize: 8, hasClassToken: true, views: 1, joint: false });
        tf.dispose([out.features, out.idsKeep, out.keyMask, x, ids, km]);
        expect(tf.memory().numTensors).toBe(before);
      });

      it('forwardFeatures pools the class token or the mean patch token, and gives an NHWC map on request', () => {
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          const x = tf.randomNormal([2, 32, 32, 4], 0, 1, 'float32', 6) as tf.Tensor4D;
          const dense = sincos.forward(x).features;
          const cls = sincos.forwardFeatures(x);
          expect(cls.pooled.shape).toEqual([2, 32]);
          expect(maxAbsDiff(cls.pooled, dense.slice([0, 0, 0], [2, 1, 32]).reshape([2, 32]))).toBe(0);
          const mean = sincos.forwardFeatures(x, { pool: 'mean', pyramid: true });
          expect(maxAbsDiff(mean.pooled, dense.slice([0, 1, 0], [2, 16, 32]).mean(1))).toBeLessThan(1e-6);
          expect(mean.pyramid?.[0]?.shape).toEqual([2, 4, 4, 32]);
          expect(maxAbsDiff(mean.pyramid![0]!.reshape([2, 16, 32]), dense.slice([0, 1, 0], [2, 16, 32]))).toBe(0);
          expect(box.forwardFeatures(x).pooled.shape).toEqual([2, 32]);
        });
        expect(tf.memory().numTensors).toBe(before);
        expect(sincos.outputGrid(64, 40)).toEqual([8, 5]);
      });

      it('drop path acts in training mode only, reproducibly from the seed', () => {
        tf.tidy(() => {
          const mk = () => new VisionTransformer({ ...TINY, depth: 3, dropPath: 0.5, seed: 7 });
          const [a, b] = [mk(), mk()];
          const x = tf.randomNormal([8, 32, 32, 4], 0, 1, 'float32', 7) as tf.Tensor4D;
          const ta = a.forward(x).features;
          expect(maxAbsDiff(ta, b.forward(x).features)).toBe(0);
          a.eval();
          b.eval();
          const ea = a.forward(x).features;
          expect(maxAbsDiff(ea, a.forward(x).features)).toBe(0);
          expect(maxAbsDiff(ea, ta)).toBeGreaterThan(1e-4);
          a.dispose();
          b.dispose();
        });
      });

      it('throws VitError naming the option and the fix', () => {
        const x = tf.zeros([2, 32, 32, 4]) as tf.Tensor4D;
        const bad = (f: () => unknown, re: RegExp) => {
          try {
            f();
          } catch (e) {
            expect(e).toBeInstanceOf(VitError);
            expect(e).toBeInstanceOf(TerramaeError);
            expect((e as Error).message).toMatch(re);
            return;
          }
          throw new Error(`expected a VitError matching ${re}`);
        };
        tf.tidy(() => {
          bad(() => sincos.forward(tf.zeros([2, 32, 32, 3]) as tf.Tensor4D), /3 channels.*inChannels = 4/);
          bad(() => sincos.forward(tf.zeros([2, 48, 48, 4]) as tf.Tensor4D), /6×6 differs from the fixed 'sincos' pos_embed grid 4×4/);
          bad(() => sincos.forward(tf.zeros([2, 30, 32, 4]) as tf.Tensor4D), /not divisible by the patch size 8/);
          bad(() => sincos.forward(x, { idsKeep: tf.zeros([1, 4], 'int32') as tf.Tensor2D }), /'idsKeep' must be \[2, K\]/);
          bad(() => sincos.forward(x, { idsKeep: tf.zeros([2, 4], 'int32') as tf.Tensor2D, keyMask: tf.zeros([2, 3]) as tf.Tensor2D }), /'keyMask' must be \[2, 4\]/);
          bad(() => sincos.forward(x, { mask: tf.zeros([2, 16]) as tf.Tensor2D }), /'mask' is for grid backbones/);
          bad(() => sincos.forward(x, { views: 3 }), /'views' must be a positive integer dividing the batch 2/);
          bad(() => box.forward(x, { views: 2 }), /needs 'boxes' \[B, 2, 4\]/);
          bad(() => box.forward(tf.zeros([3, 32, 32, 4]) as tf.Tensor4D, { views: 3, boxes: tf.zeros([1, 3, 4]) as tf.Tensor3D }), /numViews ≥ 3/);
          bad(() => box.forward(x, { views: 2, boxes: tf.zeros([2, 2, 4]) as tf.Tensor3D }), /'boxes' must be \[1, 2, 4\]/);
        });
        x.dispose();
        bad(() => new VisionTransformer({ ...TINY, numHeads: 5 }), /not divisible by numHeads 5/);
        bad(() => new VisionTransformer({ ...TINY, embedDim: 36, numHeads: 4, posEmbed: 'box' }), /multiple of 8/);
        bad(() => new VisionTransformer({ ...TINY, imageSize: 36 }), /not divisible by patchSize 8/);
        bad(() => new VisionTransformer({ ...TINY, dropPath: 1 }), /'dropPath'/);
      });
    });
  });
}

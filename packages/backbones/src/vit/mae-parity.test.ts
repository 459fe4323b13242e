// Parity of the ViT encoder with facebookresearch/mae (fixtures mae_vit_c3 / mae_vit_c12).
// The encoder latent is compared directly. The fixture's gradients are of the full MAE loss, so a
// test-local MAE decoder (built from this package's TransformerBlock, as the pretext package does)
// and norm-pix loss carry the gradient back to every encoder parameter and to the input image.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Module, ModuleList, Rng, gatherTokens, layerNorm, linear, loadSafetensors, patchify } from '@terramae/tensors';
import { sharedPath, testBackends, useBackend } from '@terramae/testing';
import { TransformerBlock } from '../transformer/block';
import { VisionTransformer } from './vision-transformer';

interface Tolerance {
  readonly rel_l2: number;
  readonly max_abs_rel: number;
}
interface MaeCase {
  readonly name: string;
  readonly kind: string;
  readonly file: string;
  readonly constructor: Record<string, number | boolean | string>;
  readonly tolerance: { forward: Tolerance; grads: Tolerance };
}

/** `rel_l2` and `max_abs_rel` of `y` against the reference `r` (README "Checking parity"). */
function errors(y: tf.Tensor, r: tf.Tensor): { relL2: number; maxAbsRel: number; maxAbs: number } {
  const yv = y.dataSync();
  const rv = r.dataSync();
  expect(yv.length).toBe(rv.length);
  let diff2 = 0;
  let ref2 = 0;
  let maxAbs = 0;
  let maxRef = 0;
  for (let i = 0; i < rv.length; i++) {
    const d = (yv[i] as number) - (rv[i] as number);
    diff2 += d * d;
    ref2 += (rv[i] as number) ** 2;
    maxAbs = Math.max(maxAbs, Math.abs(d));
    maxRef = Math.max(maxRef, Math.abs(rv[i] as number));
  }
  return { relL2: Math.sqrt(diff2 / ref2), maxAbsRel: maxAbs / maxRef, maxAbs };
}

function expectClose(name: string, y: tf.Tensor, r: tf.Tensor, tol: Tolerance): { relL2: number; maxAbsRel: number } {
  expect(y.shape, name).toEqual(r.shape);
  const e = errors(y, r);
  expect(e.relL2, `${name} rel_l2 (max_abs ${e.maxAbs})`).toBeLessThanOrEqual(tol.rel_l2);
  expect(e.maxAbsRel, `${name} max_abs_rel (max_abs ${e.maxAbs})`).toBeLessThanOrEqual(tol.max_abs_rel);
  return e;
}

/** Ascending argsort of each row (the stored noise has no ties). */
function argsortRows(values: Float32Array | Int32Array, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const idx = Array.from({ length: cols }, (_, i) => i);
    idx.sort((a, b) => (values[r * cols + a] as number) - (values[r * cols + b] as number));
    out.set(idx, r * cols);
  }
  return out;
}

/** MAE's decoder (`forward_decoder`) for the test, from the package's TransformerBlock. */
class TestMaeDecoder extends Module {
  readonly embedW: tf.Variable;
  readonly embedB: tf.Variable;
  readonly maskToken: tf.Variable;
  readonly posEmbed: tf.Variable;
  readonly blocks: ModuleList<TransformerBlock>;
  readonly normW: tf.Variable;
  readonly normB: tf.Variable;
  readonly predW: tf.Variable;
  readonly predB: tf.Variable;
  constructor(d: number, dd: number, depth: number, heads: number, l: number, out: number) {
    super();
    const rng = new Rng(1);
    this.embedW = this.param('decoder_embed.weight', tf.zeros([d, dd]), { torchLayout: 'linear' });
    this.embedB = this.param('decoder_embed.bias', tf.zeros([dd]));
    this.maskToken = this.param('mask_token', tf.zeros([1, 1, dd]));
    this.posEmbed = this.param('decoder_pos_embed', tf.zeros([1, 1 + l, dd]), { trainable: false });
    this.blocks = this.module('decoder_blocks', new ModuleList<TransformerBlock>());
    for (let i = 0; i < depth; i++) this.blocks.push(new TransformerBlock({ dim: dd, numHeads: heads, rng }));
    this.normW = this.param('decoder_norm.weight', tf.zeros([dd]));
    this.normB = this.param('decoder_norm.bias', tf.zeros([dd]));
    this.predW = this.param('decoder_pred.weight', tf.zeros([dd, out]), { torchLayout: 'linear' });
    this.predB = this.param('decoder_pred.bias', tf.zeros([out]));
  }
  forward(latent: tf.Tensor3D, idsRestore: tf.Tensor2D): tf.Tensor3D {
    const [n, t] = latent.shape;
    const l = idsRestore.shape[1];
    const x = linear(latent, this.embedW as tf.Tensor2D, this.embedB as tf.Tensor1D) as tf.Tensor3D;
    const dd = x.shape[2];
    const tokens = tf.concat([x.slice([0, 1, 0], [n, t - 1, dd]), tf.broadcastTo(this.maskToken, [n, l + 1 - t, dd])], 1) as tf.Tensor3D;
    let h = tf.concat([x.slice([0, 0, 0], [n, 1, dd]), gatherTokens(tokens, idsRestore)], 1).add(this.posEmbed) as tf.Tensor3D;
    for (const b of this.blocks.items) h = b.forward(h);
    h = layerNorm(h, this.normW as tf.Tensor1D, this.normB as tf.Tensor1D, 1e-6) as tf.Tensor3D;
    const pred = linear(h, this.predW as tf.Tensor2D, this.predB as tf.Tensor1D) as tf.Tensor3D;
    return pred.slice([0, 1, 0], [n, l, pred.shape[2]]);
  }
}

/** Norm-pix target of MAE's `forward_loss` (per-patch mean and unbiased variance, eps 1e-6). */
function normPixTarget(imgs: tf.Tensor4D, p: number): tf.Tensor3D {
  const t = patchify(imgs, p);
  const k = t.shape[2];
  const mean = t.mean(-1, true);
  const v = t.sub(mean).square().sum(-1, true).div(k - 1);
  return t.sub(mean).div(v.add(1e-6).sqrt());
}

const dir = sharedPath('fixtures', 'parity');
const manifest = dir ? (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { cases: MaeCase[] }) : undefined;
const cases = (manifest?.cases ?? []).filter((c) => c.kind === 'mae_vit');

describe.skipIf(cases.length === 0)('ViT encoder parity with facebookresearch/mae', () => {
  for (const backend of testBackends()) {
    describe(backend, () => {
      beforeAll(() => useBackend(backend));
      for (const c of cases) {
        describe(c.name, () => {
          let fixture: Record<string, tf.Tensor>;
          beforeAll(() => {
            fixture = loadSafetensors(join(dir as string, c.file));
          });
          afterAll(() => tf.dispose(Object.values(fixture)));

          const cfg = c.constructor as Record<string, number>;
          const build = () =>
            new VisionTransformer({
              embedDim: cfg['embed_dim'] as number,
              depth: cfg['depth'] as number,
              numHeads: cfg['num_heads'] as number,
              patchSize: cfg['patch_size'] as number,
              inChannels: cfg['in_chans'] as number,
              imageSize: cfg['img_size'] as number,
              mlpRatio: cfg['mlp_ratio'] as number,
            });

          /** Encoder params in PyTorch layout, keyed by state-dict name. */
          const encoderDict = (model: VisionTransformer) => {
            const names = new Set(model.namedParameters().map((p) => p.name));
            const dict: Record<string, tf.Tensor> = {};
            for (const [k, v] of Object.entries(fixture)) if (k.startsWith('param/') && names.has(k.slice(6))) dict[k.slice(6)] = v;
            return dict;
          };

          it('the fixed sin-cos pos_embed equals the reference buffer before loading', () => {
            const model = build();
            const e = errors(model.stateDict()['pos_embed'] as tf.Tensor, fixture['param/pos_embed'] as tf.Tensor);
            expect(e.maxAbs).toBeLessThan(1e-6);
            model.dispose();
          });

          it('forward_encoder latent and every gradient of the MAE loss match', () => {
            const before = tf.memory().numTensors;
            const model = build();
            const dict = encoderDict(model);
            model.loadTorchStateDict(dict); // strict: the encoder has exactly these keys
            const [n, ch, hh, ww] = (fixture['input/imgs'] as tf.Tensor).shape as number[];
            const p = cfg['patch_size'] as number;
            const l = (hh! / p) * (ww! / p);
            const lenKeep = Math.floor(l * (1 - (cfg['mask_ratio'] as number)));
            const noise = (fixture['input/noise'] as tf.Tensor).dataSync() as Float32Array;
            const idsShuffle = argsortRows(noise, n!, l);
            const idsRestore = new Int32Array(n! * l);
            for (let r = 0; r < n!; r++) for (let j = 0; j < l; j++) idsRestore[r * l + (idsShuffle[r * l + j] as number)] = j;
            expect([...idsShuffle]).toEqual([...(fixture['output/ids_shuffle'] as tf.Tensor).dataSync()]);
            const keep = new Int32Array(n! * lenKeep);
            const mask = new Float32Array(n! * l).fill(1);
            for (let r = 0; r < n!; r++) {
              for (let j = 0; j < lenKeep; j++) {
                keep[r * lenKeep + j] = idsShuffle[r * l + j] as number;
                mask[r * l + (idsShuffle[r * l + j] as number)] = 0;
              }
            }

            const decoder = new TestMaeDecoder(model.dim, cfg['decoder_embed_dim']!, cfg['decoder_depth']!, cfg['decoder_num_heads']!, l, p * p * ch!);
            const decNames = new Set(decoder.namedParameters().map((q) => q.name));
            const decDict: Record<string, tf.Tensor> = {};
            for (const [k, v] of Object.entries(fixture)) if (k.startsWith('param/') && decNames.has(k.slice(6))) decDict[k.slice(6)] = v;
            decoder.loadTorchStateDict(decDict);

            const idsKeep = tf.tensor2d(keep, [n!, lenKeep], 'int32');
            const restore = tf.tensor2d(idsRestore, [n!, l], 'int32');
            const maskT = tf.tensor2d(mask, [n!, l]);
            const imgs = tf.tidy(() => tf.variable((fixture['input/imgs'] as tf.Tensor).transpose([0, 2, 3, 1]), true, `imgs_${backend}_${c.name}`));

            const vars = [...model.trainableVariables(), ...decoder.trainableVariables()];
            let latent: tf.Tensor | undefined;
            let pred: tf.Tensor | undefined;
            const { value, grads } = tf.variableGrads(() => {
              const out = model.forward(imgs as unknown as tf.Tensor4D, { idsKeep });
              tf.dispose([out.idsKeep]);
              latent = tf.keep(out.features);
              pred = tf.keep(decoder.forward(out.features as tf.Tensor3D, restore));
              const target = normPixTarget(imgs as unknown as tf.Tensor4D, p);
              const perPatch = (pred as tf.Tensor).sub(target).square().mean(-1);
              return perPatch.mul(maskT).sum().div(maskT.sum()) as tf.Scalar;
            }, [...vars.map(([, v]) => v), imgs]);

            const fwd = c.tolerance.forward;
            const lat = expectClose('latent', latent as tf.Tensor, fixture['output/latent'] as tf.Tensor, fwd);
            expectClose('pred', pred as tf.Tensor, fixture['output/pred'] as tf.Tensor, fwd);
            expectClose('loss', value, fixture['output/loss'] as tf.Tensor, fwd);

            const torchGrads = tf.tidy(() => {
              const out: Record<string, tf.Tensor> = {};
              const layouts = new Map([...model.namedParameters(), ...decoder.namedParameters()].map((q) => [q.name, q]));
              for (const [name, v] of vars) {
                const g = grads[v.name] as tf.Tensor;
                const q = layouts.get(name)!;
                if (q.torchLayout === 'linear') out[name] = g.transpose();
                else if (q.torchLayout === 'patch-linear') out[name] = g.reshape([p, p, ch!, model.dim]).transpose([3, 2, 0, 1]);
                else out[name] = g.clone();
              }
              out['input/imgs'] = (grads[imgs.name] as tf.Tensor).transpose([0, 3, 1, 2]);
              return out;
            });
            const gradKeys = Object.keys(fixture).filter((k) => k.startsWith('grad/'));
            expect(gradKeys.length).toBeGreaterThan(40);
            let worst = { relL2: 0, maxAbsRel: 0 };
            for (const key of gradKeys) {
              const mine = torchGrads[key.slice(5)];
              expect(mine, `no gradient computed for ${key}`).toBeDefined();
              const e = expectClose(key, mine as tf.Tensor, fixture[key] as tf.Tensor, c.tolerance.grads);
              worst = { relL2: Math.max(worst.relL2, e.relL2), maxAbsRel: Math.max(worst.maxAbsRel, e.maxAbsRel) };
            }
            console.log(
              `${c.name} on ${backend}: latent rel_l2 ${lat.relL2.toExponential(2)}, max_abs_rel ${lat.maxAbsRel.toExponential(2)}; ` +
                `worst of ${gradKeys.length} grads rel_l2 ${worst.relL2.toExponential(2)}, max_abs_rel ${worst.maxAbsRel.toExponential(2)}`,
            );

            tf.dispose([value, latent, pred, idsKeep, restore, maskT, imgs, ...Object.values(grads), ...Object.values(torchGrads)]);
            model.dispose();
            decoder.dispose();
            expect(tf.memory().numTensors).toBe(before);
          });
        });
      }
    });
  }
});

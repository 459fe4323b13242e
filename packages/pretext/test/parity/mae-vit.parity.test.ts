// The MAE ViT parity cases (kind `mae_vit`) run directly: facebookresearch/mae forward (encoder,
// decoder, loss) from the stored noise, with gradients, against the PyTorch reference.
import * as tf from '@tensorflow/tfjs';
import { VisionTransformer } from '@terramae/backbones';
import { disposeMask, randomMasking } from '@terramae/masking';
import { Rng } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaeDecoder } from '../../src/decoders/mae-decoder';
import { maeReconstructionLoss } from '../../src/tasks/mae/mae-loss';
import { PARITY_DIR, casesOfKind, compareWith, gradsInTorchLayout, loadParams, type FixtureCase } from './fixture-case';

const cases = casesOfKind('mae_vit');

async function runCase(c: FixtureCase): Promise<string[]> {
  const s = c.settings as Record<string, number | boolean>;
  const [n, ch, h, w] = c.file.info('input/imgs').shape as [number, number, number, number];
  const p = s['patch_size'] as number;
  const grid: [number, number] = [h / p, w / p];
  const encoder = new VisionTransformer({
    embedDim: s['embed_dim'] as number,
    depth: s['depth'] as number,
    numHeads: s['num_heads'] as number,
    patchSize: p,
    inChannels: ch,
    imageSize: [h, w],
    posEmbed: 'sincos',
    mlpRatio: s['mlp_ratio'] as number,
  });
  const decoder = new MaeDecoder({
    encoderDim: s['embed_dim'] as number,
    decoderDim: s['decoder_embed_dim'] as number,
    depth: s['decoder_depth'] as number,
    numHeads: s['decoder_num_heads'] as number,
    mlpRatio: s['mlp_ratio'] as number,
    outputDim: p * p * ch,
    grid,
    rng: new Rng(1),
  });
  const mask = randomMasking({ ratio: s['mask_ratio'] as number }).sample({ count: n, grid, rng: new Rng(0), noise: c.file.readFloat32Array('input/noise') });
  const raw = c.file.readTensor('input/imgs');
  const nhwc = raw.transpose([0, 2, 3, 1]);
  const image = tf.variable(nhwc, true);
  raw.dispose();
  nhwc.dispose();
  const problems: string[] = [];
  try {
    loadParams(c, [encoder, decoder]);
    const run = () => {
      const enc = encoder.forward(image as tf.Tensor4D, { idsKeep: mask.idsKeep });
      const pred = decoder.forward({ tokens: enc.features as tf.Tensor3D, idsRestore: mask.idsRestore, keep: mask.keep });
      const { loss, target } = maeReconstructionLoss(pred, image as tf.Tensor4D, mask.mask, p, { normPixLoss: s['norm_pix_loss'] === true });
      return { latent: enc.features, pred, loss, target };
    };
    const fwd = tf.tidy(run);
    const computed = new Map<string, tf.Tensor>([
      ['output/latent', fwd.latent],
      ['output/pred', fwd.pred],
      ['output/target_normalized', fwd.target],
      ['output/loss', fwd.loss],
      ['output/ids_shuffle', mask.idsShuffle.clone()],
      ['output/ids_restore', mask.idsRestore.clone()],
      ['output/mask', mask.mask.clone()],
    ]);
    for (const [k, g] of gradsInTorchLayout([encoder, decoder], () => run().loss, new Map([['grad/input/imgs', image]]))) {
      computed.set(k, k === 'grad/input/imgs' ? tf.tidy(() => g.transpose([0, 3, 1, 2])) : g);
      if (k === 'grad/input/imgs') g.dispose();
    }
    const expected = c.file.keys().filter((k) => k.startsWith('output/') || k.startsWith('grad/'));
    for (const name of expected) {
      const v = computed.get(name);
      computed.delete(name);
      const problem = v ? await compareWith(c, name, v) : `${name}: not computed`;
      if (problem) problems.push(problem);
    }
    computed.forEach((t) => t.dispose());
  } finally {
    image.dispose();
    disposeMask(mask);
    encoder.dispose();
    decoder.dispose();
  }
  return problems;
}

describe.skipIf(!PARITY_DIR)('MAE ViT parity (facebookresearch/mae)', () => {
  for (const backend of testBackends()) {
    describe(backend, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });
      for (const entry of cases) {
        it(`${entry.name}: loss, prediction, mask and every gradient within tolerance`, async () => {
          const c = entry.open();
          try {
            const before = tf.memory().numTensors;
            const problems = await runCase(c);
            expect(problems).toEqual([]);
            expect(tf.memory().numTensors).toBe(before);
          } finally {
            c.file.close();
          }
        });
      }
    });
  }
  it('the manifest holds mae_vit cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });
  afterAll(() => undefined);
});

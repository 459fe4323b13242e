import * as tf from '@tensorflow/tfjs';
import { VisionTransformer, createConvNeXtV2 } from '@terramae/backbones';
import { disposeMask, randomMasking } from '@terramae/masking';
import { Rng, type Batch, type ModalitySpec } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPretextTask, getPretextTask } from '../../api/registry';
import { buildPretrainingModel } from '../../model/pretraining-model';
import '../../register-builtins';
import { RecipeValidationError } from '../../validate/recipe-validation-error';
import type { MaeDecoder } from '../../decoders/mae-decoder';
import { maeReconstructionLoss } from './mae-loss';

const [size, ch, p] = [16, 3, 4];
const specs: Record<string, ModalitySpec> = { rgb: { name: 'rgb', level: 'pixel', kind: 'continuous', bands: ['r', 'g', 'b'] } };

function tinyVit(): VisionTransformer {
  return new VisionTransformer({ embedDim: 16, depth: 1, numHeads: 2, patchSize: p, inChannels: ch, imageSize: size, seed: 1 });
}

function batchOf(n: number, seed: number): Batch {
  const rng = new Rng(seed);
  return { size: n, views: 1, modalities: { rgb: tf.tensor4d(rng.normalArray(n * size * size * ch), [n, size, size, ch]) }, specs, indices: [...Array(n).keys()] };
}

const task = () => createPretextTask('mae-reconstruction', { decoderDim: 8, decoderDepth: 1, decoderHeads: 2 });

describe('mae-reconstruction task', () => {
  beforeAll(async () => {
    await useBackend(testBackends()[0] ?? 'cpu');
  });

  it('is registered with MAE defaults (decoder 512/8/16, norm-pix)', () => {
    const def = getPretextTask('mae-reconstruction');
    expect(def.defaults).toMatchObject({ normPixLoss: true, decoderDim: 512, decoderDepth: 8, decoderHeads: 16 });
    expect(task().id).toBe('mae-reconstruction');
  });

  it('refuses a grid backbone before any tensor exists, saying what to use instead', () => {
    const backbone = createConvNeXtV2('atto', { inChannels: ch, patchSize: 8 });
    expect(() =>
      buildPretrainingModel({ backbone, masking: randomMasking({ ratio: 0.5 }), tasks: [task()], inputModality: 'rgb', specs, inputSize: [size, size], rng: new Rng(0) }),
    ).toThrow(RecipeValidationError);
    backbone.dispose();
  });

  for (const backend of testBackends()) {
    describe(backend, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });

      it('trains plain MAE through the composite model: loss equals the direct computation, every variable gets a gradient, no leaks', async () => {
        const model = buildPretrainingModel({ backbone: tinyVit(), masking: randomMasking({ ratio: 0.75 }), tasks: [task()], inputModality: 'rgb', specs, inputSize: [size, size], rng: new Rng(3) });
        expect(model.namedParameters().map((q) => q.name)).toEqual(expect.arrayContaining(['heads.mae-reconstruction.decoder_embed.weight', 'heads.mae-reconstruction.mask_token', 'heads.mae-reconstruction.decoder_pos_embed']));
        const batch = batchOf(2, 4);
        const mask = model.sampleMask(batch, new Rng(5));
        const before = tf.memory().numTensors;
        const vars = [...model.trainableVariables().entries()];
        const { value, grads } = tf.variableGrads(() => model.computeLoss(batch, mask).total, vars.map(([, v]) => v));
        const loss = (await value.data())[0]!;
        expect(Number.isFinite(loss) && loss > 0).toBe(true);
        for (const [name, v] of vars) expect(tf.tidy(() => grads[v.name]!.abs().max().dataSync()[0]), name).toBeGreaterThan(0);
        tf.dispose([value, ...Object.values(grads)]);
        expect(tf.memory().numTensors).toBe(before);
        // the same number straight from the pieces
        const direct = tf.tidy(() => {
          const enc = model.backbone.forward(batch.modalities['rgb'] as tf.Tensor4D, { idsKeep: mask.idsKeep });
          const head = model.heads.get('mae-reconstruction') as MaeDecoder;
          const pred = head.forward({ tokens: enc.features as tf.Tensor3D, idsRestore: mask.idsRestore });
          return maeReconstructionLoss(pred, batch.modalities['rgb'] as tf.Tensor4D, mask.mask, p, { normPixLoss: true }).loss;
        });
        expect((await direct.data())[0]).toBeCloseTo(loss, 5);
        direct.dispose();
        disposeMask(mask);
        tf.dispose(batch.modalities['rgb']!);
        model.dispose();
      });
    });
  }
});

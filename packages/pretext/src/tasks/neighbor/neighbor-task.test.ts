import * as tf from '@tensorflow/tfjs';
import type { Backbone } from '@terramae/backbones';
import { disposeMask, neighborAdaptiveMasking, randomMasking } from '@terramae/masking';
import { Rng, disposeBatch, normalizeBoxesToUnion } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPretextTask, getPretextTask } from '../../api/registry';
import { MultiViewMaeDecoder } from '../../decoders/multi-view-mae-decoder';
import { JointGridDecoder } from '../../decoders/joint-grid-decoder';
import { buildPretrainingModel } from '../../model/pretraining-model';
import '../../register-builtins';
import { RecipeValidationError } from '../../validate/recipe-validation-error';
import { neighborReconstructionLoss } from './neighbor-loss';
import { PAIR_SPECS, SIZE, pairBatch, tinyBoxVit, tinyConvNeXt } from './__tests__/neighbor-pairs';

const task = () => createPretextTask('neighbor-reconstruction', { decoderDim: 8, decoderDepth: 1, decoderHeads: 2 });

function model(backbone: Backbone) {
  return buildPretrainingModel({
    backbone,
    masking: neighborAdaptiveMasking({ ratioMin: 0.5, ratioMax: 0.75 }),
    tasks: [task()],
    inputModality: 'rgb',
    specs: PAIR_SPECS,
    inputSize: [SIZE, SIZE],
    views: 2,
    rng: new Rng(4),
  });
}

describe('neighbor-reconstruction task', () => {
  beforeAll(async () => {
    await useBackend(testBackends()[0] ?? 'cpu');
  });

  it('is registered with NeighborMAE defaults and asks for pairs with boxes', () => {
    const def = getPretextTask('neighbor-reconstruction');
    expect(def.defaults).toMatchObject({ normPixLoss: true, weighted: true, weightKernel: 9, boxScale: 32, decoderDim: 512, decoderDepth: 8, decoderHeads: 16 });
    expect(def.requires?.(def.defaults)).toMatchObject({ views: 2, meta: ['boxes'] });
  });

  it('refuses single-view data before any tensor exists', () => {
    const backbone = tinyBoxVit();
    expect(() =>
      buildPretrainingModel({ backbone, masking: randomMasking(), tasks: [task()], inputModality: 'rgb', specs: PAIR_SPECS, inputSize: [SIZE, SIZE], rng: new Rng(0) }),
    ).toThrow(RecipeValidationError);
    backbone.dispose();
  });

  for (const backend of testBackends()) {
    describe(backend, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });

      for (const [label, make, Head] of [
        ['ViT (joint attention in encoder and decoder)', tinyBoxVit, MultiViewMaeDecoder],
        ['ConvNeXt V2 (views encoded alone, joint grid decoder)', tinyConvNeXt, JointGridDecoder],
      ] as const) {
        it(`trains on ${label}: finite loss, logs, a gradient for every variable, no leaks`, async () => {
          const m = model(make());
          const head = m.heads.get('neighbor-reconstruction');
          expect(head).toBeInstanceOf(Head);
          const batch = pairBatch(6);
          const mask = m.sampleMask(batch, new Rng(7));
          const before = tf.memory().numTensors;
          const vars = [...m.trainableVariables().entries()];
          let logs: Record<string, number> = {};
          const { value, grads } = tf.variableGrads(() => {
            const r = m.computeLoss(batch, mask, { keepLogs: true });
            logs = Object.fromEntries(Object.entries(r.logs).map(([k, v]) => [k, v.dataSync()[0]!]));
            tf.dispose([...Object.values(r.logs), ...Object.values(r.perTask)].filter((t) => t !== r.total));
            return r.total;
          }, vars.map(([, v]) => v));
          const loss = (await value.data())[0]!;
          expect(Number.isFinite(loss) && loss > 0).toBe(true);
          expect(logs['neighbor-reconstruction/weightedLoss']).toBeCloseTo(loss, 5);
          expect(logs['neighbor-reconstruction/maskedMse']).toBeGreaterThanOrEqual(loss - 1e-6);
          for (const [name, v] of vars) expect(tf.tidy(() => grads[v.name]!.abs().max().dataSync()[0]), name).toBeGreaterThan(0);
          tf.dispose([value, ...Object.values(grads)]);
          expect(tf.memory().numTensors).toBe(before);
          disposeMask(mask);
          disposeBatch(batch);
          m.dispose();
        });
      }

      it('with weighted: false trains on the plain masked MSE (the ablation) and still logs both', async () => {
        const m = buildPretrainingModel({
          backbone: tinyBoxVit(),
          masking: neighborAdaptiveMasking({ ratioMin: 0.5, ratioMax: 0.75 }),
          tasks: [createPretextTask('neighbor-reconstruction', { decoderDim: 8, decoderDepth: 1, decoderHeads: 2, weighted: false })],
          inputModality: 'rgb',
          specs: PAIR_SPECS,
          inputSize: [SIZE, SIZE],
          views: 2,
          rng: new Rng(4),
        });
        const batch = pairBatch(6);
        const mask = m.sampleMask(batch, new Rng(7));
        const r = m.computeLoss(batch, mask, { keepLogs: true });
        const [total, masked, weighted] = await Promise.all([r.total, r.logs['neighbor-reconstruction/maskedMse']!, r.logs['neighbor-reconstruction/weightedLoss']!].map(async (t) => (await t.data())[0]!));
        expect(total).toBeCloseTo(masked, 6);
        expect(weighted).toBeLessThan(masked);
        tf.dispose([r.total, ...Object.values(r.logs), ...Object.values(r.perTask)].filter((t, i, a) => a.indexOf(t) === i));
        disposeMask(mask);
        disposeBatch(batch);
        m.dispose();
      });

      it('on the box ViT equals the pieces run by hand (joint encoder, multi-view decoder, weighted loss)', async () => {
        const m = model(tinyBoxVit());
        const batch = pairBatch(8);
        const mask = m.sampleMask(batch, new Rng(9));
        const total = tf.tidy(() => m.computeLoss(batch, mask).total);
        const direct = tf.tidy(() => {
          const boxes = normalizeBoxesToUnion(batch.boxes!, 32);
          const x = batch.modalities['rgb'] as tf.Tensor4D;
          const enc = m.backbone.forward(x, { idsKeep: mask.idsKeep, ...(mask.keyMask ? { keyMask: mask.keyMask } : {}), views: 2, boxes });
          const head = m.heads.get('neighbor-reconstruction') as MultiViewMaeDecoder;
          const pred = head.forward({ tokens: enc.features as tf.Tensor3D, views: 2, grid: mask.grid, idsShuffle: mask.idsShuffle, idsRestore: mask.idsRestore, keep: mask.keep, boxes });
          return neighborReconstructionLoss({ pred, images: x, mask: mask.mask, boxes, patchSize: 4 }, { normPixLoss: true }).weightedLoss;
        });
        expect((await total.data())[0]).toBeCloseTo((await direct.data())[0]!, 5);
        tf.dispose([total, direct]);
        disposeMask(mask);
        disposeBatch(batch);
        m.dispose();
      });
    });
  }
});

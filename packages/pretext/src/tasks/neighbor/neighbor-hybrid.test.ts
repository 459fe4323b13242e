// Hybrids: a concatenation of task lists plus one aggregator. MMEarth's multi-pretext tasks
// (pixel reconstruction, pixel and image classification) and NeighborMAE's neighbour
// reconstruction, on ConvNeXt V2 and on the joint box ViT, over neighbour pairs.
import * as tf from '@tensorflow/tfjs';
import type { Backbone } from '@terramae/backbones';
import { disposeMask, neighborAdaptiveMasking } from '@terramae/masking';
import { Rng, disposeBatch } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPretextTask } from '../../api/registry';
import { buildPretrainingModel } from '../../model/pretraining-model';
import '../../register-builtins';
import { PAIR_SPECS, SIZE, pairBatch, tinyBoxVit, tinyConvNeXt } from './__tests__/neighbor-pairs';

const decoder = { dim: 8, depth: 1, sharing: 'shared' as const, grnEps: 1e-4 };
const mmearthTasks = () => [
  createPretextTask('pixel-reconstruction', { normPix: true, decoder }),
  createPretextTask('pixel-classification', { modality: 'landcover', decoder }),
  createPretextTask('image-classification', { modality: 'biome', decoder }),
];
const neighbourTasks = () => [createPretextTask('neighbor-reconstruction', { decoderDim: 8, decoderDepth: 1, decoderHeads: 2 })];

function hybrid(backbone: Backbone) {
  return buildPretrainingModel({
    backbone,
    masking: neighborAdaptiveMasking({ ratioMin: 0.5, ratioMax: 0.75 }),
    tasks: [...mmearthTasks(), ...neighbourTasks()],
    aggregator: { name: 'uncertainty' },
    inputModality: 'rgb',
    specs: PAIR_SPECS,
    inputSize: [SIZE, SIZE],
    views: 2,
    rng: new Rng(10),
  });
}

describe('MP-MAE + neighbour reconstruction hybrid', () => {
  for (const backend of testBackends()) {
    describe(backend, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });

      for (const [label, make] of [
        ['ConvNeXt V2', tinyConvNeXt],
        ['the box ViT', tinyBoxVit],
      ] as const) {
        it(`trains on ${label}: every task contributes, every variable gets a gradient, no leaks`, async () => {
          const m = hybrid(make());
          expect(m.taskIds).toHaveLength(4);
          expect(m.taskIds).toContain('neighbor-reconstruction');
          const batch = pairBatch(11);
          const mask = m.sampleMask(batch, new Rng(12));
          const before = tf.memory().numTensors;
          const vars = [...m.trainableVariables().entries()];
          const perTask: Record<string, number> = {};
          const { value, grads } = tf.variableGrads(() => {
            const r = m.computeLoss(batch, mask, { keepLogs: true });
            for (const [k, v] of Object.entries(r.perTask)) perTask[k] = v.dataSync()[0]!;
            tf.dispose([...Object.values(r.logs), ...Object.values(r.perTask)].filter((t) => t !== r.total));
            return r.total;
          }, vars.map(([, v]) => v));
          expect(Number.isFinite((await value.data())[0])).toBe(true);
          for (const id of m.taskIds) expect(perTask[id], id).toBeGreaterThan(0);
          for (const [name, v] of vars) expect(tf.tidy(() => grads[v.name]!.abs().max().dataSync()[0]), name).toBeGreaterThan(0);
          tf.dispose([value, ...Object.values(grads)]);
          expect(tf.memory().numTensors).toBe(before);
          disposeMask(mask);
          disposeBatch(batch);
          m.dispose();
        });
      }
    });
  }
});

// Contract test generated from the registries: every registered pretext task × every backbone family
// it is compatible with, at a tiny size, on every backend: finite loss, a non-zero gradient for every
// trainable variable (backbone, shared decoders, heads, aggregator), no tensor leaked by a step.
import * as tf from '@tensorflow/tfjs';
import { ConvNeXtV2, VisionTransformer, listBackbones, type Backbone } from '@terramae/backbones';
import { createMaskingStrategy, disposeMask, type MaskingStrategy } from '@terramae/masking';
import { Rng, disposeBatch, type ModalitySpec } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { listPretextTasks } from './index';
import type { PretextTaskDefinition, PretextTaskInstance } from './api/task';
import { tinyBatch, tinySpecs } from './__tests__/synthetic-batch';
import { buildPretrainingModel } from './model/pretraining-model';
import { validateTasks, type BackboneDescription } from './validate/validate-tasks';

const SIZE = 16;
const BANDS = 4;

/** Tiny constructors per backbone family (add one when a family is registered). */
const TINY: Record<string, (views: number) => Backbone> = {
  convnextv2: () => new ConvNeXtV2({ depths: [1, 1, 1, 1], dims: [8, 8, 8, 8], inChannels: BANDS, patchSize: 8, seed: 1 }),
  vit: (views) =>
    new VisionTransformer({ embedDim: 8, depth: 1, numHeads: 2, patchSize: 4, inChannels: BANDS, imageSize: SIZE, seed: 1, ...(views > 1 ? { posEmbed: 'box' as const, numViews: views } : {}) }),
};

/** The same backbones described without tensors (validation runs before any backend exists). */
const DESCRIBE: Record<string, BackboneDescription> = {
  convnextv2: { layout: 'grid', inChannels: BANDS, patchSize: 8, outputGrid: (h, w) => [h / 8, w / 8] },
  vit: { layout: 'tokens', inChannels: BANDS, patchSize: 4, outputGrid: (h, w) => [h / 4, w / 4] },
};

const families = [...new Set(listBackbones().map((b) => b.metadata.family))];
for (const f of families) if (!TINY[f]) console.warn(`[contract] backbone family '${f}' has no tiny constructor in contract.test.ts; add one`);

/** Shrink decoder settings so the test stays tiny. */
function tinyConfig(defaults: unknown): Record<string, unknown> {
  const c = { ...(defaults as Record<string, unknown>) };
  if (c['decoder'] && typeof c['decoder'] === 'object') c['decoder'] = { ...(c['decoder'] as object), dim: 8, depth: 1 };
  if ('decoderDim' in c) c['decoderDim'] = 8;
  if ('decoderDepth' in c) c['decoderDepth'] = 1;
  if ('decoderHeads' in c) c['decoderHeads'] = 2;
  return c;
}

interface Combo {
  task: PretextTaskInstance;
  family: string;
  views: number;
}

/** The first config of a task that validates against this backbone: its defaults, or one per candidate target modality. */
function combos(): Combo[] {
  const specs: Record<string, ModalitySpec> = tinySpecs(BANDS);
  const out: Combo[] = [];
  for (const def of listPretextTasks() as PretextTaskDefinition<string, unknown>[]) {
    const base = tinyConfig(def.defaults);
    const candidates = 'modality' in base ? [base, ...Object.keys(specs).map((m) => ({ ...base, modality: m }))] : [base];
    const views = def.requires?.(base)?.views ?? 1;
    for (const family of Object.keys(TINY)) {
      const probe = DESCRIBE[family]!;
      const found = candidates.find((config) => {
        const task = { definition: def, config, id: 'probe' } as PretextTaskInstance;
        return validateTasks({ tasks: [task], specs, inputModality: 'sentinel2', backbone: probe, inputSize: [SIZE, SIZE], views, hasBoxes: views > 1 }).length === 0;
      });
      if (found) out.push({ task: { definition: def, config: found, id: def.name.replace(/\./g, '_') } as PretextTaskInstance, family, views });
    }
  }
  return out;
}

function maskingFor(layout: 'grid' | 'tokens', views: number): MaskingStrategy {
  if (views > 1) return createMaskingStrategy('neighbor-adaptive', { ratioMin: 0.5, ratioMax: 0.75 });
  return createMaskingStrategy(layout === 'grid' ? 'fcmae' : 'random', { ratio: 0.5 });
}

const all = combos();

describe('contract: registry coverage', () => {
  it('finds at least one compatible backbone for every registered task', () => {
    const covered = new Set(all.map((c) => c.task.definition.name));
    expect(listPretextTasks().map((d) => d.name).filter((n) => !covered.has(n))).toEqual([]);
  });
});

for (const backend of testBackends()) {
  describe(`contract (${backend})`, () => {
    beforeAll(() => useBackend(backend));
    for (const { task, family, views } of all) {
      it(`${task.definition.name} × ${family}${views > 1 ? ` (${views} views)` : ''}: finite loss, every variable gets a gradient, no leak`, () => {
        const backbone = TINY[family]!(views);
        const model = buildPretrainingModel({
          backbone,
          masking: maskingFor(backbone.layout, views),
          tasks: [task],
          aggregator: { name: 'uncertainty' },
          inputModality: 'sentinel2',
          specs: tinySpecs(BANDS),
          inputSize: [SIZE, SIZE],
          views,
          rng: new Rng(4),
        });
        const batch = tinyBatch(2, SIZE, 7, BANDS, views);
        const mask = model.sampleMask(batch, new Rng(11));
        const vars = [...model.trainableVariables()];
        const before = tf.memory().numTensors;
        const { value, grads } = tf.tidy(() => tf.variableGrads(() => model.computeLoss(batch, mask).total, vars.map(([, v]) => v)));
        const loss = value.dataSync()[0] as number;
        const bad = vars
          .map(([name, v]) => [name, grads[v.name] ? tf.tidy(() => grads[v.name]!.abs().max().dataSync()[0] as number) : 0] as const)
          .filter(([, g]) => !(g > 0 && Number.isFinite(g)))
          .map(([name, g]) => `${name}: ${g}`);
        tf.dispose([value, ...Object.values(grads)]);
        expect(tf.memory().numTensors).toBe(before);
        expect(Number.isFinite(loss)).toBe(true);
        expect(bad).toEqual([]);
        disposeMask(mask);
        disposeBatch(batch);
        model.dispose();
      });
    }
  });
}

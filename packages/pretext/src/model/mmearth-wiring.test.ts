import * as tf from '@tensorflow/tfjs';
import { createMaskingStrategy, disposeMask, type MaskSample } from '@terramae/masking';
import { Rng, disposeBatch, type Batch } from '@terramae/tensors';
import { useBackend } from '@terramae/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../register-builtins';
import { FakeGridBackbone } from '../__tests__/fake-backbones';
import { tinyBatch, tinySpecs } from '../__tests__/synthetic-batch';
import { mmearthTasks } from '../tasks/mmearth/mmearth-tasks';
import { buildPretrainingModel, type PretrainingModel } from './pretraining-model';

// Which tensors reach which task in the composite MP-MAE model (specs/mmearth.md §2.5–§2.6, pitfall 8):
// pixel tasks see only their own target at hidden patches; image tasks see every sample; the encoder
// input is sanitised while the S2 target's non-finite values become 0.

const SIZE = 16;
const PATCH = 4;
const GRID = SIZE / PATCH;

/** A copy of `batch` with one modality's values changed by `edit` (other tensors cloned). */
function edited(batch: Batch, name: string, edit: (data: Float32Array | Int32Array) => void): Batch {
  const modalities: Record<string, tf.Tensor> = {};
  for (const [k, t] of Object.entries(batch.modalities)) {
    if (k !== name) {
      modalities[k] = t.clone();
      continue;
    }
    const data = t.dataSync().slice() as Float32Array | Int32Array;
    edit(data);
    modalities[k] = tf.tensor(data, t.shape, t.dtype);
  }
  return { ...batch, modalities, ...(batch.labels ? { labels: batch.labels.clone() } : {}) };
}

/** Pixel offsets (row-major in `[N, H, W]`) of patch `cell` of the mask grid of image `sample`. */
function patchPixels(sample: number, cell: number): number[] {
  const r = Math.floor(cell / GRID);
  const c = cell % GRID;
  const out: number[] = [];
  for (let i = 0; i < PATCH; i++) for (let j = 0; j < PATCH; j++) out.push(sample * SIZE * SIZE + (r * PATCH + i) * SIZE + c * PATCH + j);
  return out;
}

describe('MP-MAE composite model wiring', () => {
  let model: PretrainingModel;
  let base: Batch;
  let mask: MaskSample;
  let reference: Record<string, number>;
  const losses = (batch: Batch): Record<string, number> =>
    tf.tidy(() => Object.fromEntries(Object.entries(model.computeLoss(batch, mask).perTask).map(([k, v]) => [k, v.dataSync()[0] as number])));
  const hidden = (sample: number) => Array.from({ length: GRID * GRID }, (_, i) => i).filter((i) => mask.maskValues[sample * GRID * GRID + i] === 1);
  const visible = (sample: number) => Array.from({ length: GRID * GRID }, (_, i) => i).filter((i) => mask.maskValues[sample * GRID * GRID + i] === 0);
  /** Task ids whose loss differs from the reference (the same inputs give bit-identical losses on cpu). */
  const changed = (batch: Batch): string[] => {
    const l = losses(batch);
    disposeBatch(batch);
    return Object.keys(l).filter((k) => l[k] !== reference[k]);
  };

  beforeAll(async () => {
    await useBackend('cpu');
    model = buildPretrainingModel({
      backbone: new FakeGridBackbone(4, 6, PATCH, 1),
      masking: createMaskingStrategy('fcmae', { ratio: 0.5 }),
      tasks: mmearthTasks('all', { decoder: { dim: 8 } }),
      aggregator: { name: 'sum' },
      inputModality: 'sentinel2',
      specs: tinySpecs(),
      inputSize: [SIZE, SIZE],
      rng: new Rng(3),
    });
    base = tinyBatch(2, SIZE, 5);
    mask = model.sampleMask(base, new Rng(9));
    reference = losses(base);
  });
  afterAll(() => {
    disposeMask(mask);
    disposeBatch(base);
    model.dispose();
  });

  it('a continuous pixel target reaches only its task, and only through hidden patches', () => {
    const c = 2; // sentinel1 channels
    const bump = (cells: number[]) => (d: Float32Array | Int32Array) => {
      for (const cell of cells) for (const p of patchPixels(0, cell)) for (let k = 0; k < c; k++) d[p * c + k] = 50;
    };
    expect(changed(edited(base, 'sentinel1', bump(visible(0))))).toEqual([]);
    expect(changed(edited(base, 'sentinel1', bump(hidden(0).slice(0, 1))))).toEqual(['sentinel1']);
  });

  it('a categorical pixel target reaches only its task, and only through hidden patches', () => {
    const set = (cells: number[]) => (d: Float32Array | Int32Array) => {
      for (const cell of cells) for (const p of patchPixels(1, cell)) d[p] = ((d[p] as number) + 2) % 3;
    };
    expect(changed(edited(base, 'dynamic_world', set(visible(1))))).toEqual([]);
    expect(changed(edited(base, 'dynamic_world', set(hidden(1).slice(0, 1))))).toEqual(['dynamic_world']);
  });

  it('image-level targets count for every sample and reach only their task', () => {
    // sample 1's biome and lat, whatever its mask
    expect(changed(edited(base, 'biome', (d) => (d[1] = ((d[1] as number) + 1) % 5)))).toEqual(['biome']);
    expect(changed(edited(base, 'lat', (d) => (d[2] = (d[2] as number) + 3)))).toEqual(['lat']);
  });

  it('the S2 input drives every task; a NaN in it is sanitised for the encoder and a zero target for reconstruction', () => {
    // raise one visible S2 pixel: the encoder sees it, so every task's loss moves
    const cell = visible(0)[0] as number;
    const p = patchPixels(0, cell)[0] as number;
    expect(changed(edited(base, 'sentinel2', (d) => (d[p * 4] = (d[p * 4] as number) + 5))).sort()).toEqual([...model.taskIds].sort());
    // the same pixel as NaN equals the pixel as 0 (input sanitised to 0, target nan_to_num(0))
    const withNaN = edited(base, 'sentinel2', (d) => (d[p * 4] = Number.NaN));
    const withZero = edited(base, 'sentinel2', (d) => (d[p * 4] = 0));
    const a = losses(withNaN);
    const b = losses(withZero);
    disposeBatch(withNaN);
    disposeBatch(withZero);
    for (const id of model.taskIds) {
      expect(Number.isFinite(a[id])).toBe(true);
      expect(a[id]).toBeCloseTo(b[id] as number, 6);
    }
  });
});

describe("MP-MAE with decoder.convInit 'fcmae'", () => {
  beforeAll(() => useBackend('cpu'));
  it('initialises the pixel heads, proj and dwconv (nn.Conv2d in the reference) with std 1, the image heads with 0.02', () => {
    const m = buildPretrainingModel({
      backbone: new FakeGridBackbone(4, 6, PATCH, 1),
      masking: createMaskingStrategy('fcmae'),
      tasks: mmearthTasks('all', { decoder: { dim: 16, convInit: 'fcmae' } }),
      inputModality: 'sentinel2',
      specs: tinySpecs(),
      inputSize: [SIZE, SIZE],
      rng: new Rng(3),
    });
    const sd = m.stateDict();
    const std = (name: string) => tf.tidy(() => Math.sqrt(sd[name]!.square().mean().dataSync()[0] as number));
    for (const name of ['heads.sentinel2.weight', 'heads.dynamic_world.weight', 'shared.fcmae_decoder.proj.weight', 'shared.fcmae_decoder.decoder.0.dwconv.weight']) {
      expect(std(name), name).toBeGreaterThan(0.75);
    }
    for (const name of ['heads.biome.weight', 'heads.era5.weight', 'shared.fcmae_decoder.decoder.0.pwconv1.weight']) expect(std(name), name).toBeLessThan(0.03);
    m.dispose();
  });
});

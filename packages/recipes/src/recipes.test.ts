import { getPretextTask } from '@terramae/pretext';
import { describe, expect, it } from 'vitest';
import { fcmae, hybrid, mae, mpMae, neighborMae } from './presets';
import { parseRecipe, recipeToJson, recipeToYaml, setRecipeField } from './serialize';
import { RecipeError, validateRecipe } from './validate';

describe('presets', () => {
  it('MP-MAE all_mod has the 12 MMEarth tasks in loss order with uncertainty weighting', () => {
    const r = mpMae();
    expect(r.tasks.map((t) => t.id)).toEqual([
      'sentinel2', 'sentinel1', 'aster', 'era5', 'dynamic_world', 'canopy_height_eth',
      'lat', 'lon', 'biome', 'eco_region', 'month', 'esa_worldcover',
    ]);
    expect(r.aggregator.name).toBe('uncertainty');
    expect(r.masking).toEqual({ name: 'fcmae', options: { ratio: 0.6 } });
    expect(r.schedule).toMatchObject({ epochs: 200, warmupEpochs: 40, minLr: 0 });
    expect(r.batch.size * r.batch.accumulate).toBe(4096);
    expect(r.optimizer).toMatchObject({ blr: 1.5e-4, betas: [0.9, 0.95], weightDecay: 0.05 });
    expect(r.tasks[0]!.config).toMatchObject({ normPix: true });
    expect(r.tasks[1]!.config).toMatchObject({ normPix: false });
  });
  it('the MMEarth configurations select the right task groups', () => {
    expect(mpMae({ tasks: 's2' }).tasks.map((t) => t.id)).toEqual(['sentinel2']);
    expect(mpMae({ tasks: 'img' }).tasks.map((t) => t.id)).toEqual(['sentinel2', 'era5', 'lat', 'lon', 'biome', 'eco_region', 'month']);
    expect(mpMae({ tasks: 'pix' }).tasks.map((t) => t.id)).toEqual(['sentinel2', 'sentinel1', 'aster', 'dynamic_world', 'canopy_height_eth', 'esa_worldcover']);
    expect(mpMae({ tasks: 'rgb' }).input.bands).toEqual(['B2', 'B3', 'B4']);
    expect(fcmae().tasks).toHaveLength(1);
  });
  it('NeighborMAE uses pairs, adaptive masking and the norm/bias decay rule', () => {
    const r = neighborMae();
    expect(r.input.views).toBe(2);
    expect(r.masking).toEqual({ name: 'neighbor-adaptive', options: { ratioMin: 0.75, ratioMax: 0.85 } });
    expect(r.optimizer.noDecay).toBe('norm-bias');
    expect(r.schedule.kind).toBe('neighbormae');
  });
  it('a hybrid concatenates task lists under one aggregator and takes the pair setting', () => {
    const h = hybrid(mpMae({ tasks: 'img' }), neighborMae());
    expect(h.tasks.map((t) => t.task)).toContain('neighbor-reconstruction');
    expect(h.tasks.filter((t) => t.task === 'image-classification')).toHaveLength(2);
    expect(h.input.views).toBe(2);
    expect(h.masking.name).toBe('neighbor-adaptive');
    expect(() => validateRecipe(h)).not.toThrow();
  });
  it('every preset task config uses fields the task has (none is silently ignored)', () => {
    for (const r of [mpMae(), fcmae(), mae({ normPix: false }), neighborMae({ normPix: false })]) {
      for (const t of r.tasks) {
        const known = Object.keys(getPretextTask(t.task).defaults as object);
        for (const key of Object.keys(t.config ?? {})) expect(known, `${r.name} ${t.task}.${key}`).toContain(key);
      }
    }
    expect(mae({ normPix: false }).tasks[0]!.config).toEqual({ normPixLoss: false });
    expect(neighborMae({ normPix: false }).tasks[0]!.config).toEqual({ normPixLoss: false });
  });
  it('NeighborMAE paper scale: 1024 pairs (2048 images) per step, lr 1.2e-3, and as many images seen as 800 NeighborMAE epochs', () => {
    const r = neighborMae();
    const images = r.batch.size * r.batch.accumulate * (r.input.views ?? 1);
    expect(images).toBe(2048);
    expect((r.optimizer.blr * images) / 256).toBeCloseTo(1.2e-3, 12);
    // NeighborMAE's epoch is #files images (#files // 2048 steps of 1024 pairs); ours is one pass over
    // the pair source, #files pairs = 2·#files images: 400 of ours = 800 of theirs, warmup 5 %.
    expect(r.schedule).toMatchObject({ epochs: 400, warmupEpochs: 20, minLr: 0, kind: 'neighbormae' });
    expect(r.optimizer).toMatchObject({ blr: 1.5e-4, betas: [0.9, 0.95], weightDecay: 0.05, noDecay: 'norm-bias' });
  });
  it('MP-MAE uses the batch-global masked GRN statistics of the sparse MinkowskiGRN that trained the released weights', () => {
    for (const scale of ['paper', 'laptop', 'tiny'] as const) {
      const opts = mpMae({ scale }).backbone.options ?? {};
      expect(opts.maskedGrnStatistics ?? 'batch').toBe('batch');
    }
  });
  it('every preset validates at every scale', () => {
    for (const scale of ['paper', 'laptop', 'tiny'] as const) {
      for (const r of [mpMae({ scale }), fcmae({ scale }), mae({ scale }), neighborMae({ scale })]) expect(validateRecipe(r)).toBe(r);
    }
  });
});

describe('serialisation', () => {
  it('round-trips through JSON and YAML', () => {
    const r = mpMae({ scale: 'laptop' });
    expect(parseRecipe(recipeToJson(r))).toEqual(r);
    expect(parseRecipe(recipeToYaml(r))).toEqual(r);
  });
  it('sets fields by dotted path with typed values', () => {
    const r = setRecipeField(setRecipeField(mae(), 'schedule.epochs=100'), 'optimizer.betas=[0.9, 0.99]');
    expect(r.schedule.epochs).toBe(100);
    expect(() => setRecipeField(mae(), 'schedule.epochs=10')).toThrow(/warmupEpochs: 40 is longer than epochs \(10\)/);
    expect(r.optimizer.betas).toEqual([0.9, 0.99]);
  });
});

describe('validation errors name the field and the fix', () => {
  it('lists every problem', () => {
    const bad = { ...mpMae(), batch: { size: 0, accumulate: 1 }, schedule: { kind: 'linear', epochs: 1, warmupEpochs: 0, minLr: 0 }, extra: 1 };
    try {
      validateRecipe(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RecipeError);
      const text = (error as Error).message;
      expect(text).toMatch(/recipe\.batch\.size: expected an integer in \[1, /);
      expect(text).toMatch(/recipe\.schedule\.kind: expected one of 'half-cycle-cosine', 'neighbormae', 'constant', got "linear"/);
      expect(text).toMatch(/recipe\.extra: unknown field/);
    }
  });
  it('rejects a warmup longer than training and a dataset without a path', () => {
    expect(() => validateRecipe({ ...mae(), schedule: { ...mae().schedule, warmupEpochs: 900 } })).toThrow(/warmupEpochs: 900 is longer than epochs \(800\); shorten the warmup/);
    expect(() => validateRecipe({ ...mae(), data: { kind: 'mmearth' } })).toThrow(/recipe\.data\.path: a 'mmearth' dataset needs a path/);
  });
  it('rejects duplicate task ids and invalid text', () => {
    const r = mae();
    expect(() => validateRecipe({ ...r, tasks: [{ ...r.tasks[0], id: 'a' }, { ...r.tasks[0], id: 'a' }] })).toThrow(/task ids must be unique; give the duplicates distinct 'id' fields: a/);
    expect(() => parseRecipe('{ name: [', 'my.yaml')).toThrow(/my\.yaml: not valid JSON or YAML/);
  });
});

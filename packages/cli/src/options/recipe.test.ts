import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recipePreset, recipeToYaml, RecipeError } from '@terramae/recipes';
import { sharedPath } from '@terramae/testing';
import { UsageError } from '../errors';
import { loadRecipeSource, resolveRecipe } from './recipe';

const dir = () => mkdtempSync(join(tmpdir(), 'terramae-recipe-'));

describe('recipe flags', () => {
  it('loads a preset by name or a YAML file', () => {
    expect(loadRecipeSource('mp-mae-laptop').batch).toEqual({ size: 16, accumulate: 1 });
    const file = join(dir(), 'r.yaml');
    writeFileSync(file, recipeToYaml(recipePreset('neighbormae-tiny')));
    expect(loadRecipeSource(file).input.views).toBe(2);
  });

  it('applies --set, --steps, --batch-size and --seed in that order', () => {
    const r = resolveRecipe({ recipe: 'mp-mae-laptop', set: ['masking.options.ratio=0.75', 'batch.size=3'], steps: 7, batchSize: 5, seed: 9 });
    expect(r.masking.options).toEqual({ ratio: 0.75 });
    expect(r.schedule.maxSteps).toBe(7);
    expect(r.batch.size).toBe(5);
    expect(r.seed).toBe(9);
  });

  it('uses the fallback recipe (a run being resumed) when no --recipe is given', () => {
    expect(resolveRecipe({ steps: 4 }, recipePreset('fcmae-tiny')).schedule.maxSteps).toBe(4);
    expect(() => resolveRecipe({})).toThrow(UsageError);
    expect(() => resolveRecipe({})).toThrow(/no recipe: pass --recipe <file\|preset>/);
  });

  it('explains a name that is neither a preset nor a file, and a missing file', () => {
    expect(() => loadRecipeSource('mpmae')).toThrow(/--recipe mpmae: not a preset and not a file\. Presets: mp-mae, mp-mae-img/);
    expect(() => loadRecipeSource('conf/missing.yaml')).toThrow(/--recipe conf\/missing\.yaml: no such file/);
  });

  it('reports invalid overrides with the field path', () => {
    expect(() => resolveRecipe({ recipe: 'mae-tiny', set: ['batch.size=0'] })).toThrow(RecipeError);
    expect(() => resolveRecipe({ recipe: 'mae-tiny', set: ['batch.size=0'] })).toThrow(/recipe\.batch\.size: expected an integer in \[1, /);
  });

  const mmearth = sharedPath('fixtures', 'mmearth');
  it.skipIf(!mmearth)('--data sets the path and detects an MMEarth-layout folder', () => {
    const r = resolveRecipe({ recipe: 'mp-mae-tiny', data: mmearth! });
    expect(r.data).toMatchObject({ kind: 'mmearth', path: mmearth });
    expect(() => resolveRecipe({ recipe: 'mp-mae-tiny', data: '/no/such/place' })).toThrow(/--data \/no\/such\/place: no such file or folder/);
  });
});

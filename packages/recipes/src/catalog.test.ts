import { describe, expect, it } from 'vitest';
import { isRecipePreset, listRecipePresets, parsePresetName, recipePreset } from './catalog';
import { RecipeError, validateRecipe } from './validate';

describe('recipe catalog', () => {
  it('parses scale suffixes', () => {
    expect(parsePresetName('mp-mae-laptop')).toEqual({ preset: 'mp-mae', scale: 'laptop' });
    expect(parsePresetName('hybrid-vit-tiny')).toEqual({ preset: 'hybrid-vit', scale: 'tiny' });
    expect(parsePresetName('neighbormae')).toEqual({ preset: 'neighbormae', scale: 'paper' });
  });

  it('builds every preset at every scale into a valid recipe', () => {
    for (const { name } of listRecipePresets()) {
      for (const suffix of ['', '-laptop', '-tiny']) {
        const r = recipePreset(`${name}${suffix}`);
        expect(validateRecipe(r)).toBe(r);
      }
    }
  });

  it('puts each hybrid on the backbone its name says', () => {
    expect(recipePreset('hybrid-convnext').backbone.name).toMatch(/^convnextv2_/);
    expect(recipePreset('hybrid-vit').backbone.name).toMatch(/^vit_/);
    expect(recipePreset('hybrid-vit').input.views).toBe(2);
    expect(recipePreset('mp-mae').tasks).toHaveLength(12);
  });

  it('rejects an unknown name and lists the presets', () => {
    expect(isRecipePreset('mp-mae-tiny')).toBe(true);
    expect(isRecipePreset('nope')).toBe(false);
    expect(() => recipePreset('nope')).toThrow(RecipeError);
    expect(() => recipePreset('nope')).toThrow(/'nope' is not a preset; use one of mp-mae, .*neighbormae/);
  });
});

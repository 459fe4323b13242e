import { MMEARTH_ALL_MOD, type BandSelection } from '@terramae/datasets';
import type { Recipe } from '@terramae/recipes';

/**
 * The modalities (with band selections) a recipe reads: its input modality with `input.bands`
 * (default MMEarth's 12 Sentinel-2 input bands) and every modality a task names in
 * `config.modality`. Loading only these keeps data loading fast.
 */
export function recipeModalities(recipe: Recipe, options: { inputOnly?: boolean } = {}): Record<string, BandSelection> {
  const input = recipe.input.modality;
  const out: Record<string, BandSelection> = {
    [input]: recipe.input.bands ?? MMEARTH_ALL_MOD[input] ?? 'all',
  };
  if (options.inputOnly) return out;
  for (const task of recipe.tasks) {
    const m = task.config?.modality;
    if (typeof m === 'string' && !(m in out)) out[m] = MMEARTH_ALL_MOD[m] ?? 'all';
  }
  return out;
}

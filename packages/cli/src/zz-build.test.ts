import { it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { listRecipePresets, recipePreset, buildModelFromRecipe } from '@terramae/recipes';
import { MMEARTH_MODALITIES, MMEARTH_S2_INPUT_BANDS } from '../../datasets/src/modalities/mmearth-modalities';
it('build', async () => {
  await tf.setBackend('cpu');
  const specs: any = {};
  for (const [k, v] of Object.entries(MMEARTH_MODALITIES)) specs[k] = k === 'sentinel2' ? { ...v, bands: MMEARTH_S2_INPUT_BANDS } : v;
  for (const { name } of listRecipePresets()) {
    const r = recipePreset(name + '-tiny');
    try { const m = buildModelFromRecipe(r, { specs }); console.log('OK', name, m.namedParameters().length); m.dispose(); } catch (e) { console.log('FAIL', name, (e as Error).message.slice(0, 500)); }
  }
});

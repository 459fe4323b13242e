// Tiny versions of the presets for the end-to-end tests: the tiny backbones of
// fixtures/tiny-backbones.mjs, 32 px tiles, 8-wide decoders, batch 4.
import { recipePreset, type Recipe, type RecipeTask } from '@terramae/recipes';

/** Shrink a task's decoder settings. */
function tinyTask(task: RecipeTask): RecipeTask {
  const config: Record<string, unknown> = { ...(task.config ?? {}) };
  if (config.decoder && typeof config.decoder === 'object') config.decoder = { ...(config.decoder as object), dim: 8 };
  if (task.task === 'neighbor-reconstruction' || task.task === 'mae-reconstruction') Object.assign(config, { decoderDim: 8, decoderDepth: 1, decoderHeads: 2 });
  return { ...task, config };
}

/** The tiny recipe of a preset, on synthetic data at `dataPath`. */
export function tinyRecipe(preset: 'mp-mae' | 'neighbormae' | 'hybrid-convnext' | 'hybrid-vit', dataPath: string, steps = 3): Recipe {
  const base = recipePreset(`${preset}-tiny`);
  const vit = base.backbone.name.startsWith('vit_');
  const views = base.input.views ?? 1;
  return {
    ...base,
    name: `test-${preset}`,
    backbone: vit
      ? { name: 'vit_test', options: { inChannels: 12, patchSize: 8, imageSize: 32, ...(views > 1 ? { posEmbed: 'box', numViews: 2 } : {}) } }
      : { name: 'convnextv2_test', options: { ...base.backbone.options, patchSize: 8 } },
    input: { ...base.input, size: 32 },
    tasks: base.tasks.map(tinyTask),
    batch: { size: 4, accumulate: 1 },
    schedule: { ...base.schedule, maxSteps: steps },
    data: { kind: 'mmearth', path: dataPath, split: 'train' },
  };
}

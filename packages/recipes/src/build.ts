import { createBackbone } from '@terramae/backbones';
import { createMaskingStrategy } from '@terramae/masking';
import { buildPretrainingModel, createPretextTask, type PretrainingModel } from '@terramae/pretext';
import { Rng, type ModalitySpec } from '@terramae/tensors';
import type { Recipe } from './recipe';
import { validateRecipe } from './validate';

/** Options of {@link buildModelFromRecipe}. */
export interface BuildFromRecipeOptions {
  /** Specs of every modality the dataset provides (the recipe is checked against them first). */
  readonly specs: Readonly<Record<string, ModalitySpec>>;
  /** Generator for every initial weight; default `new Rng(recipe.seed)`. */
  readonly rng?: Rng;
}

/**
 * Turn a recipe into a pretraining model: validate the recipe, create the backbone, the masking
 * strategy and each task from the registries, and assemble them with the aggregator. The task
 * list is checked against the dataset's modality specs and the backbone before any tensor exists.
 */
export function buildModelFromRecipe(recipe: Recipe, options: BuildFromRecipeOptions): PretrainingModel {
  validateRecipe(recipe);
  const rng = options.rng ?? new Rng(recipe.seed);
  const tasks = recipe.tasks.map((t) => createPretextTask(t.task, (t.config ?? {}) as never, t.id));
  const masking = createMaskingStrategy(recipe.masking.name, (recipe.masking.options ?? {}) as never);
  const inChannels = recipe.input.bands?.length ?? options.specs[recipe.input.modality]?.bands.length;
  const backbone = createBackbone(recipe.backbone.name, {
    ...(inChannels !== undefined ? { inChannels } : {}),
    ...recipe.backbone.options,
    seed: rng.nextUint32(),
  });
  try {
    return buildPretrainingModel({
      backbone,
      masking,
      tasks,
      aggregator: { name: recipe.aggregator.name, ...(recipe.aggregator.options ? { config: recipe.aggregator.options } : {}) },
      inputModality: recipe.input.modality,
      specs: options.specs,
      inputSize: [recipe.input.size, recipe.input.size],
      views: recipe.input.views ?? 1,
      rng,
    });
  } catch (error) {
    backbone.dispose();
    throw error;
  }
}

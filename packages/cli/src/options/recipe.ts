import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import {
  isRecipePreset,
  listRecipePresets,
  overrideRecipe,
  parseRecipe,
  recipePreset,
  setRecipeField,
  validateRecipe,
  type Recipe,
} from '@terramae/recipes';
import { UsageError } from '../errors';
import { detectDataKind } from '../data/detect';
import { collect, positiveInt, nonNegativeInt } from './parsers';

/** The recipe flags shared by `pretrain`, `probe`, `recipes show` and `demo`. */
export interface RecipeFlags {
  /** A recipe file (.json/.yaml) or a preset name. */
  readonly recipe?: string;
  /** `path=value` assignments, applied in order. */
  readonly set?: readonly string[];
  /** Optimiser steps (sets `schedule.maxSteps`). */
  readonly steps?: number;
  /** Samples per micro-batch (`batch.size`). */
  readonly batchSize?: number;
  /** Seed of everything (`seed`). */
  readonly seed?: number;
  /** Dataset file or folder (`data.path`; `data.kind` is detected). */
  readonly data?: string;
}

/** Add `--recipe`, `--set`, `--steps`, `--batch-size`, `--seed` and `--data` to a command. */
export function addRecipeOptions(command: Command, what = 'the recipe'): Command {
  return command
    .option('-r, --recipe <file|preset>', `${what}: a JSON/YAML file or a preset name (see \`terramae recipes list\`)`)
    .option('--set <path=value>', 'override a recipe field, e.g. --set schedule.epochs=10 --set masking.options.ratio=0.75 (repeatable)', collect)
    .option('--steps <n>', 'optimiser steps to run (sets schedule.maxSteps; the schedule is compressed to fit)', positiveInt)
    .option('--batch-size <n>', 'samples per micro-batch (sets batch.size)', positiveInt)
    .option('--seed <n>', 'seed of initialisation, masks, crops and shuffles (sets seed)', nonNegativeInt)
    .option('--data <path>', 'dataset: an MMEarth-layout .h5 (or its folder), a GeoTIFF class folder, or a DSen2 .mat scene (sets data.path and data.kind)');
}

/** Read a recipe from a file or build a preset; a clear {@link UsageError} when it is neither. */
export function loadRecipeSource(source: string): Recipe {
  if (existsSync(source) && statSync(source).isFile()) return parseRecipe(readFileSync(source, 'utf8'), source);
  if (isRecipePreset(source)) return recipePreset(source);
  const presets = listRecipePresets().map((p) => p.name).join(', ');
  if (/\.(json|ya?ml)$/i.test(source) || source.includes('/')) {
    throw new UsageError(`--recipe ${source}: no such file. Pass a recipe file (.json/.yaml) or a preset name (${presets}; add -laptop or -tiny for smaller runs).`);
  }
  throw new UsageError(`--recipe ${source}: not a preset and not a file. Presets: ${presets} (add -laptop or -tiny for smaller runs).`);
}

/**
 * The recipe a command runs: `flags.recipe` (file or preset) or `fallback` (e.g. the recipe saved
 * with a run being resumed), then every `--set` in order, then the shorthand flags. The result is
 * validated; a missing recipe is a {@link UsageError}.
 */
export function resolveRecipe(flags: RecipeFlags, fallback?: Recipe): Recipe {
  let recipe = flags.recipe ? loadRecipeSource(flags.recipe) : fallback;
  if (!recipe) throw new UsageError('no recipe: pass --recipe <file|preset>, e.g. --recipe mp-mae-laptop (see `terramae recipes list`).');
  for (const assignment of flags.set ?? []) recipe = setRecipeField(recipe, assignment);
  const overrides: Record<string, unknown> = {};
  if (flags.steps !== undefined) overrides.schedule = { maxSteps: flags.steps };
  if (flags.batchSize !== undefined) overrides.batch = { size: flags.batchSize };
  if (flags.seed !== undefined) overrides.seed = flags.seed;
  if (flags.data !== undefined) {
    if (!existsSync(flags.data)) throw new UsageError(`--data ${flags.data}: no such file or folder.`);
    const kind = detectDataKind(flags.data) ?? recipe.data.kind;
    overrides.data = { kind, path: flags.data };
  }
  return Object.keys(overrides).length ? overrideRecipe(recipe, overrides) : validateRecipe(recipe);
}

import { existsSync, statSync } from 'node:fs';
import type * as tf from '@tensorflow/tfjs';
import { convertMMEarthSparseCheckpoint, createBackbone, type Backbone } from '@terramae/backbones';
import { validateRecipe, type Recipe } from '@terramae/recipes';
import { loadPthStateDict, loadSafetensors, rawToTensor, Rng, TerramaeError, type ModalitySpec } from '@terramae/tensors';
import { CHECKPOINT_FILES, loadCheckpoint } from '@terramae/trainer';
import { join } from 'node:path';
import { UsageError } from '../errors';
import { detectPathKind } from '../data/detect';

/** An encoder ready for feature extraction, with where its weights came from. */
export interface LoadedEncoder {
  readonly backbone: Backbone;
  /** The recipe that defines the backbone (from the checkpoint or given). */
  readonly recipe: Recipe;
  /** `random init (seed N)`, `checkpoint <path> (step N)`, `<file>`. */
  readonly origin: string;
  /** Optimiser steps of the checkpoint, when it is a terramae checkpoint. */
  readonly step?: number;
}

/** Options of {@link loadEncoder}. */
export interface LoadEncoderOptions {
  /** A terramae checkpoint folder, a `.safetensors` state dict, or a PyTorch `.pth`. Omit for random init. */
  readonly checkpoint?: string;
  /** The recipe (required for `.safetensors`/`.pth` and random init; overrides a checkpoint's). */
  readonly recipe?: Recipe;
  /** Specs of the data the encoder will read (for its input channels). */
  readonly specs: Readonly<Record<string, ModalitySpec>>;
  /** The `.pth` is an MMEarth sparse FCMAE checkpoint: map its keys to the dense encoder. */
  readonly mmearthSparse?: boolean;
}

/** The recipe saved in a terramae checkpoint folder. */
export function checkpointRecipe(path: string): Recipe | undefined {
  if (detectPathKind(path) !== 'checkpoint') return undefined;
  const ckpt = loadCheckpoint(path);
  try {
    return ckpt.meta.recipe === undefined ? undefined : validateRecipe(ckpt.meta.recipe);
  } finally {
    for (const t of [...Object.values(ckpt.weights), ...Object.values(ckpt.optimizer)]) t.dispose();
  }
}

/**
 * Create the recipe's backbone with the same initial weights the pretraining started from
 * (`createBackbone(name, {inChannels, ...options, seed})` with the seed drawn first from
 * `Rng(recipe.seed)`, as `buildModelFromRecipe` does), so a random-init baseline is the
 * pretraining's own starting point.
 */
export function createRecipeBackbone(recipe: Recipe, specs: Readonly<Record<string, ModalitySpec>>): Backbone {
  const inChannels = recipe.input.bands?.length ?? specs[recipe.input.modality]?.bands.length;
  return createBackbone(recipe.backbone.name, {
    ...(inChannels !== undefined ? { inChannels } : {}),
    ...recipe.backbone.options,
    seed: new Rng(recipe.seed).nextUint32(),
  });
}

/** Keys under `backbone.` with the prefix removed, or the dict as is when it has none. */
function backboneKeys(dict: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  const keys = Object.keys(dict);
  if (!keys.some((k) => k.startsWith('backbone.'))) return dict;
  const out: Record<string, tf.Tensor> = {};
  for (const k of keys) {
    if (k.startsWith('backbone.')) out[k.slice('backbone.'.length)] = dict[k] as tf.Tensor;
    else (dict[k] as tf.Tensor).dispose();
  }
  return out;
}

/**
 * Load the encoder to evaluate: from a terramae checkpoint folder (its recipe and the `backbone.*`
 * weights), from a `.safetensors` or `.pth` state dict of the encoder (PyTorch names and layouts;
 * `--mmearth-sparse` maps MMEarth's sparse FCMAE keys), or freshly initialised from a recipe.
 */
export function loadEncoder(options: LoadEncoderOptions): LoadedEncoder {
  const { checkpoint } = options;
  if (!checkpoint) {
    if (!options.recipe) throw new UsageError('a random-init encoder needs a recipe: pass --recipe <file|preset>.');
    const backbone = createRecipeBackbone(options.recipe, options.specs);
    return { backbone, recipe: options.recipe, origin: `random init (seed ${options.recipe.seed})` };
  }
  if (!existsSync(checkpoint)) throw new UsageError(`--checkpoint ${checkpoint}: no such file or folder.`);
  const kind = statSync(checkpoint).isDirectory() ? detectPathKind(checkpoint) : detectPathKind(checkpoint);
  let recipe = options.recipe;
  let step: number | undefined;
  let dict: Record<string, tf.Tensor>;
  if (kind === 'checkpoint') {
    const ckpt = loadCheckpoint(checkpoint);
    for (const t of Object.values(ckpt.optimizer)) t.dispose();
    step = ckpt.meta.step;
    if (!recipe) {
      if (ckpt.meta.recipe === undefined) {
        for (const t of Object.values(ckpt.weights)) t.dispose();
        throw new UsageError(`${checkpoint} holds no recipe; pass --recipe with the recipe it was trained with.`);
      }
      recipe = validateRecipe(ckpt.meta.recipe);
    }
    dict = backboneKeys(ckpt.weights);
  } else if (kind === 'safetensors') {
    dict = backboneKeys(loadSafetensors(checkpoint));
  } else if (kind === 'pth') {
    const raw = loadPthStateDict(checkpoint);
    const sparse = options.mmearthSparse ?? Object.keys(raw).some((k) => k.startsWith('encoder.') && k.endsWith('.kernel'));
    if (sparse) dict = convertMMEarthSparseCheckpoint(raw);
    else dict = backboneKeys(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, rawToTensor(v, k)])));
  } else if (statSync(checkpoint).isDirectory() && existsSync(join(checkpoint, CHECKPOINT_FILES.meta))) {
    throw new UsageError(`${checkpoint}: the checkpoint folder has no ${CHECKPOINT_FILES.weights}; it is incomplete.`);
  } else {
    throw new UsageError(`--checkpoint ${checkpoint}: expected a terramae checkpoint folder, a .safetensors or a .pth file.`);
  }
  try {
    if (!recipe) throw new UsageError(`${checkpoint} is a bare state dict: pass --recipe <file|preset> to say which backbone it belongs to.`);
    const backbone = createRecipeBackbone(recipe, options.specs);
    try {
      backbone.loadTorchStateDict(dict);
    } catch (error) {
      backbone.dispose();
      if (error instanceof TerramaeError) {
        throw new TerramaeError(`${checkpoint} does not fit the backbone '${recipe.backbone.name}' of recipe '${recipe.name}':\n${error.message}`, { cause: error });
      }
      throw error;
    }
    return { backbone, recipe, origin: step !== undefined ? `checkpoint ${checkpoint} (step ${step})` : checkpoint, ...(step !== undefined ? { step } : {}) };
  } finally {
    for (const t of Object.values(dict)) t.dispose();
  }
}

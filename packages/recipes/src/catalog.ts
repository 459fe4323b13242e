import type { Recipe } from './recipe';
import { RecipeError } from './validate';
import { fcmae, hybrid, mae, mpMae, neighborMae, type RecipeScale } from './presets';

/** One named preset of the catalog: a recipe family that can be built at every {@link RecipeScale}. */
export interface RecipePresetEntry {
  /** Short name, e.g. `mp-mae`; `mp-mae-laptop` and `mp-mae-tiny` select the smaller scales. */
  readonly name: string;
  /** One line: what the preset trains. */
  readonly description: string;
  /** Paper and section the preset follows. */
  readonly reference: string;
  /** Build the recipe at a scale. */
  readonly build: (scale: RecipeScale) => Recipe;
}

const MMEARTH = 'MMEarth (Nedungadi et al., ECCV 2024)';
const NEIGHBOR = 'NeighborMAE (Zeng et al., CVPR 2026)';

/**
 * The named presets the CLI and the guides use. Each name can carry a scale suffix:
 * `-paper` (default, the paper's settings), `-laptop` (minutes on a laptop CPU) or `-tiny` (tests).
 */
export const RECIPE_PRESETS: readonly RecipePresetEntry[] = [
  {
    name: 'mp-mae',
    description: 'MP-MAE with all 12 MMEarth pretext tasks, uncertainty weighting, ConvNeXt V2 atto, 56 px.',
    reference: `${MMEARTH} §3 (all_mod)`,
    build: (scale) => mpMae({ scale }),
  },
  {
    name: 'mp-mae-img',
    description: 'MP-MAE with Sentinel-2 reconstruction and the six image-level tasks (img_mod).',
    reference: `${MMEARTH} §3 (img_mod)`,
    build: (scale) => mpMae({ tasks: 'img', scale }),
  },
  {
    name: 'mp-mae-pix',
    description: 'MP-MAE with Sentinel-2 reconstruction and the five pixel-level tasks (pix_mod).',
    reference: `${MMEARTH} §3 (pix_mod)`,
    build: (scale) => mpMae({ tasks: 'pix', scale }),
  },
  {
    name: 'mp-mae-rgb',
    description: 'MP-MAE on the B2, B3, B4 (BGR) bands only (rgb).',
    reference: `${MMEARTH} §3 (rgb)`,
    build: (scale) => mpMae({ tasks: 'rgb', scale }),
  },
  {
    name: 'fcmae',
    description: 'FCMAE: ConvNeXt V2 atto with Sentinel-2 reconstruction only (MMEarth\'s S2 baseline).',
    reference: `${MMEARTH} §3 (S2); Woo et al., ConvNeXt V2, CVPR 2023 §3`,
    build: (scale) => fcmae({ scale }),
  },
  {
    name: 'mae',
    description: 'MAE: ViT-tiny/8 on 64 px Sentinel-2, mask 0.75, norm-pix loss.',
    reference: 'He et al., MAE, CVPR 2022 §3',
    build: (scale) => mae({ scale }),
  },
  {
    name: 'neighbormae',
    description: 'NeighborMAE: ViT-tiny/8 jointly reconstructing neighbouring pairs (box embeddings, IoU-adaptive mask, cross-visibility weight).',
    reference: `${NEIGHBOR} §3`,
    build: (scale) => neighborMae({ scale }),
  },
  {
    name: 'hybrid-convnext',
    description: 'Hybrid on ConvNeXt V2 atto: MP-MAE img_mod tasks plus NeighborMAE pair reconstruction, uncertainty weighting.',
    reference: `${MMEARTH} §3 + ${NEIGHBOR} §3`,
    build: (scale) => hybrid(mpMae({ tasks: 'img', scale }), neighborMae({ scale })),
  },
  {
    name: 'hybrid-vit',
    description: 'Hybrid on ViT-tiny: NeighborMAE pair reconstruction plus the MP-MAE img_mod tasks, uncertainty weighting.',
    reference: `${NEIGHBOR} §3 + ${MMEARTH} §3`,
    build: (scale) => hybrid(neighborMae({ scale }), mpMae({ tasks: 'img', scale })),
  },
];

const SCALES: readonly RecipeScale[] = ['paper', 'laptop', 'tiny'];

/** Split `mp-mae-laptop` into the preset `mp-mae` and the scale `laptop` (default `paper`). */
export function parsePresetName(name: string): { readonly preset: string; readonly scale: RecipeScale } {
  for (const scale of SCALES) {
    if (name.endsWith(`-${scale}`)) return { preset: name.slice(0, -scale.length - 1), scale };
  }
  return { preset: name, scale: 'paper' };
}

/** Names and descriptions of every preset (without scale suffixes). */
export function listRecipePresets(): { name: string; description: string; reference: string }[] {
  return RECIPE_PRESETS.map(({ name, description, reference }) => ({ name, description, reference }));
}

/** Whether `name` (with or without a scale suffix) is a preset of {@link RECIPE_PRESETS}. */
export function isRecipePreset(name: string): boolean {
  const { preset } = parsePresetName(name);
  return RECIPE_PRESETS.some((p) => p.name === preset);
}

/**
 * Build a preset by name: `mp-mae`, `mp-mae-laptop`, `neighbormae-tiny`, … An unknown name is a
 * {@link RecipeError} that lists the presets.
 */
export function recipePreset(name: string): Recipe {
  const { preset, scale } = parsePresetName(name);
  const entry = RECIPE_PRESETS.find((p) => p.name === preset);
  if (!entry) {
    throw new RecipeError(name, [
      `'${name}' is not a preset; use one of ${RECIPE_PRESETS.map((p) => p.name).join(', ')} (optionally with -laptop or -tiny), or a recipe file (.json/.yaml)`,
    ]);
  }
  return entry.build(scale);
}

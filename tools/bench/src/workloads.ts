import { alignedCropTransform, CropPairSource, DataLoader, generateSyntheticEarth, type SampleSource } from '@terramae/datasets';
import { fcmae, hybrid, mae, mpMae, neighborMae, type Recipe } from '@terramae/recipes';

/** Which PyTorch re-statement in `python/reference.py` runs the same step. */
export type TorchModel = 'mpmae' | 'fcmae' | 'mae' | 'neighbormae' | 'hybrid';

/** One benchmarked training step: a recipe at one input size, and its PyTorch counterpart. */
export interface Workload {
  /** Stable id, e.g. `mpmae-atto-56`. */
  readonly id: string;
  /** Human label for the table. */
  readonly label: string;
  /** Input side in pixels. */
  readonly input: number;
  /** The terramae recipe (laptop scale: only its model, masking and optimiser are used). */
  readonly recipe: Recipe;
  /** Arguments of the PyTorch reference step. */
  readonly torch: { readonly model: TorchModel; readonly size: string; readonly patch: number; readonly tasks: string };
}

/** Names of the workload families, as `--workloads` accepts them. */
export const WORKLOAD_FAMILIES = ['mpmae', 'fcmae', 'mae-tiny', 'mae-small', 'neighbormae', 'hybrid'] as const;
/** One of {@link WORKLOAD_FAMILIES}. */
export type WorkloadFamily = (typeof WORKLOAD_FAMILIES)[number];

/** Input sizes per family (the ViTs also at 224 to show how attention cost grows). */
export const DEFAULT_INPUTS: Readonly<Record<WorkloadFamily, readonly number[]>> = {
  mpmae: [56, 112],
  fcmae: [56, 112],
  'mae-tiny': [56, 112, 224],
  'mae-small': [56, 112, 224],
  neighbormae: [56, 112],
  hybrid: [56],
};

/**
 * Build the workload of a family at one input side. ConvNeXt workloads use MMEarth's 7×7 mask
 * grid (patch = input/7: 8 at 56 px, 16 at 112 px); the ViTs use patch 8.
 */
export function makeWorkload(family: WorkloadFamily, input: number): Workload {
  const scale = 'laptop' as const;
  switch (family) {
    case 'mpmae':
      return {
        id: `mpmae-atto-${input}`,
        label: `MP-MAE ConvNeXt V2 atto, 12 tasks, ${input} px / p${input / 7}`,
        input,
        recipe: mpMae({ input, scale }),
        torch: { model: 'mpmae', size: 'atto', patch: input / 7, tasks: 'all' },
      };
    case 'fcmae':
      return {
        id: `fcmae-atto-${input}`,
        label: `FCMAE ConvNeXt V2 atto, S2 only, ${input} px / p${input / 7}`,
        input,
        recipe: fcmae({ input, scale }),
        torch: { model: 'fcmae', size: 'atto', patch: input / 7, tasks: 's2' },
      };
    case 'mae-tiny':
    case 'mae-small': {
      const size = family === 'mae-tiny' ? 'tiny' : 'small';
      return {
        id: `mae-vit-${size}-${input}`,
        label: `MAE ViT-${size}/8, 75 % masked, ${input} px`,
        input,
        recipe: mae({ size, input, patch: 8, scale }),
        torch: { model: 'mae', size, patch: 8, tasks: 's2' },
      };
    }
    case 'neighbormae':
      return {
        id: `neighbormae-vit-tiny-${input}`,
        label: `NeighborMAE ViT-tiny/8, pairs, ${input} px`,
        input,
        recipe: neighborMae({ size: 'tiny', input, patch: 8, scale }),
        torch: { model: 'neighbormae', size: 'tiny', patch: 8, tasks: 's2' },
      };
    case 'hybrid':
      return {
        id: `hybrid-vit-tiny-${input}`,
        label: `Hybrid ViT-tiny/8: NeighborMAE + MMEarth image tasks, pairs, ${input} px`,
        input,
        recipe: hybrid(neighborMae({ size: 'tiny', input, patch: 8, scale }), mpMae({ tasks: 'img', input, scale })),
        torch: { model: 'hybrid', size: 'tiny', patch: 8, tasks: 'img' },
      };
  }
}

/** The synthetic data of a workload: a loader over a small synthetic Earth at the recipe's size. */
export interface WorkloadData {
  readonly loader: DataLoader;
  readonly source: SampleSource;
}

/**
 * A loader over a synthetic Earth (MMEarth layout, every modality) with `batchSize` examples per
 * batch: aligned random crops of `input` px for single-view recipes, NeighborMAE random-resized
 * crop pairs for two-view recipes.
 */
export function makeWorkloadData(workload: Workload, batchSize: number, seed = 0): WorkloadData {
  const input = workload.input;
  const tileSize = input <= 56 ? 64 : input <= 112 ? 128 : 256;
  const views = workload.recipe.input.views ?? 1;
  // At least one location per example: the measured batch must hold `batchSize` samples.
  const earth = generateSyntheticEarth({ numLocations: Math.max(4, batchSize), tileSize, seed });
  const dataset = earth.dataset();
  const source: SampleSource = views > 1 ? new CropPairSource(dataset, { size: input }) : dataset;
  const loader = new DataLoader(source, {
    batchSize,
    seed,
    dropLast: false,
    ...(views > 1 ? {} : { transforms: [alignedCropTransform(input)] }),
  });
  return { loader, source };
}

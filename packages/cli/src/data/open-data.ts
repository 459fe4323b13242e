import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  CropPairSource,
  DYNAMIC_WORLD_CLASSES,
  GeoTiffFolderDataset,
  MMEarthDataset,
  NeighborPairSource,
  SceneTileDataset,
  generateSyntheticEarth,
  geoPairs,
  readDSen2Scene,
  tilePairs,
  type Footprint,
  type NeighborPair,
  type SampleSource,
} from '@terramae/datasets';
import type { Recipe } from '@terramae/recipes';
import type { ModalitySpec, Sample } from '@terramae/tensors';
import { UsageError } from '../errors';
import { writeSyntheticDataset } from '../synth/write-synthetic';
import { tileFootprint } from './footprints';
import { recipeModalities } from './recipe-modalities';

/** Options of {@link openData}. */
export interface OpenDataOptions {
  /** Split to read (default: `recipe.data.split`, else `train` for pretraining and `test` for evaluation). */
  readonly split?: string;
  /**
   * `pretrain`: the recipe's modalities and views (pairs for `views: 2`).
   * `eval`: the input modality only, one view, with labels.
   */
  readonly purpose: 'pretrain' | 'eval';
  /** Tile-info field holding the label of MMEarth-layout data (default `label` when present). */
  readonly labelField?: string;
}

/** A dataset opened for a command. */
export interface OpenedData {
  /** The examples (two-view pairs when the recipe has `input.views: 2` and the purpose is `pretrain`). */
  readonly source: SampleSource;
  readonly specs: Readonly<Record<string, ModalitySpec>>;
  /** One line for the log: what was opened, how many examples. */
  readonly description: string;
  /** Names of the label classes, when known. */
  readonly labelNames?: readonly string[];
  /** Side length of the stored tiles in pixels, when known. */
  readonly tileSize?: number;
  /** Release file handles. */
  close(): void;
}

interface SingleView {
  readonly source: SampleSource<Sample>;
  readonly description: string;
  readonly labelNames?: readonly string[];
  readonly tileSize?: number;
  /** Footprints by position, for neighbour pairs. */
  readonly footprints?: () => Promise<(Footprint | undefined)[]>;
  /** Exact neighbour pairs (scene tiles). */
  readonly pairs?: () => NeighborPair[];
  close(): void;
}

const numberOption = (recipe: Recipe, key: string, fallback: number): number => {
  const v = recipe.data.options?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
};

/** Open an MMEarth-layout file: labels from tile info when asked, footprints from tile info. */
async function openMMEarth(path: string, recipe: Recipe, options: OpenDataOptions, split: string): Promise<SingleView> {
  const modalities = recipeModalities(recipe, { inputOnly: options.purpose === 'eval' });
  const probe = await MMEarthDataset.open(path, { split: 'all', modalities: { [recipe.input.modality]: modalities[recipe.input.modality] ?? 'all' } });
  let labelField = options.labelField;
  let tileSize: number;
  let indices: number[] | undefined;
  try {
    tileSize = probe.store.shape(recipe.input.modality)[1] as number;
    if (options.purpose === 'eval' && labelField === undefined) {
      const info = probe.length > 0 ? probe.tileInfo(0).info : undefined;
      if (typeof info?.label === 'number') labelField = 'label';
      else {
        throw new UsageError(
          `${path}: the tile info has no 'label' field; pass --label-field <field> with a numeric tile-info field to use as the class (e.g. biome).`,
        );
      }
    }
    for (const part of split.split('+')) {
      if (!(part === 'all' || part in probe.side.splits)) {
        throw new UsageError(`${path}: no split '${part}'; its splits are ${Object.keys(probe.side.splits).join(', ')} (or 'all'; join several with +, e.g. val+test).`);
      }
    }
    if (split.includes('+')) indices = split.split('+').flatMap((part) => (part === 'all' ? Array.from({ length: probe.length }, (_, i) => i) : [...(probe.side.splits[part] ?? [])]));
  } finally {
    probe.close();
  }
  const ds = await MMEarthDataset.open(path, { split: indices ?? split, modalities, ...(labelField ? { labelField } : {}) });
  const synthetic = ds.length > 0 && ds.tileInfo(0).info?.SYNTHETIC === true;
  return {
    source: ds,
    description: `${synthetic ? 'synthetic ' : ''}MMEarth-layout ${path}, split '${split}': ${ds.length} tiles of ${tileSize} px`,
    ...(synthetic ? { labelNames: DYNAMIC_WORLD_CLASSES } : {}),
    tileSize,
    footprints: async () => Array.from({ length: ds.length }, (_, i) => tileFootprint(ds.tileInfo(i).info, tileSize)),
    close: () => ds.close(),
  };
}

/** The synthetic Earth: in memory, or written to `data.path` first when that does not exist yet. */
async function openSynthetic(recipe: Recipe, options: OpenDataOptions, split: string): Promise<SingleView> {
  const earthOptions = {
    numLocations: numberOption(recipe, 'locations', 256),
    tileSize: numberOption(recipe, 'tileSize', 64),
    siteSize: numberOption(recipe, 'siteSize', 2),
    seed: numberOption(recipe, 'seed', recipe.seed),
  };
  if (recipe.data.path) {
    if (!existsSync(recipe.data.path)) await writeSyntheticDataset(recipe.data.path, earthOptions);
    return openMMEarth(recipe.data.path, recipe, options, split);
  }
  const earth = generateSyntheticEarth(earthOptions);
  const modalities = recipeModalities(recipe, { inputOnly: options.purpose === 'eval' });
  const parts = split.split('+');
  for (const part of parts) {
    if (!(part === 'all' || part in earth.side.splits)) {
      throw new UsageError(`synthetic data: no split '${part}'; its splits are ${Object.keys(earth.side.splits).join(', ')} (or 'all'; join several with +).`);
    }
  }
  const indices = parts.length > 1 ? parts.flatMap((p) => (p === 'all' ? Array.from({ length: earth.store.length }, (_, i) => i) : [...(earth.side.splits[p] ?? [])])) : undefined;
  const ds = earth.dataset({ split: indices ?? split, modalities, labelField: 'label' });
  return {
    source: ds,
    description: `synthetic Earth in memory (seed ${earthOptions.seed}), split '${split}': ${ds.length} tiles of ${earthOptions.tileSize} px`,
    labelNames: earth.labelNames,
    tileSize: earthOptions.tileSize,
    footprints: async () => ds.indices.map((i) => earth.footprints[i]),
    close: () => undefined,
  };
}

/** A GeoTIFF class folder; with a split, `<root>/<split>` when that folder exists. */
async function openGeoTiffFolder(path: string, recipe: Recipe, split: string): Promise<SingleView> {
  const root = existsSync(join(path, split)) && statSync(join(path, split)).isDirectory() ? join(path, split) : path;
  const ds = await GeoTiffFolderDataset.open(root, {
    modality: recipe.input.modality,
    ...(recipe.input.bands ? { bands: recipe.input.bands } : {}),
  });
  return {
    source: ds,
    description: `GeoTIFF folder ${root}: ${ds.length} files in ${ds.classes.length} classes`,
    labelNames: ds.classes,
    footprints: () => ds.footprints(),
    close: () => undefined,
  };
}

/** A DSen2 `.mat` scene cut into tiles (exact neighbour pairs from the tile grid). */
async function openScene(path: string, recipe: Recipe): Promise<SingleView> {
  const scene = await readDSen2Scene(path);
  const size = numberOption(recipe, 'tileSize', recipe.input.size);
  const stride = numberOption(recipe, 'stride', size);
  const ds = new SceneTileDataset(scene, { size, stride, modality: recipe.input.modality, ...(recipe.input.bands ? { bands: recipe.input.bands } : {}) });
  return {
    source: ds,
    description: `scene ${basename(path)}: ${ds.length} tiles of ${size} px (stride ${stride})`,
    tileSize: size,
    pairs: () => tilePairs(ds.tiles, { contact: 'corner' }),
    close: () => undefined,
  };
}

/**
 * Open the data a command needs, as the recipe's `data` describes it (after `--data`): the
 * synthetic Earth (in memory, or written to `data.path`), an MMEarth-layout HDF5, a GeoTIFF class
 * folder or a DSen2 scene. For pretraining a recipe with `input.views: 2`, examples are neighbour
 * pairs: adjacent tiles by footprint (synthetic and MMEarth data, GeoTIFFs), the tile grid
 * (scenes), or, with `data.options.pairs: 'crop'`, two random crops of one tile.
 */
export async function openData(recipe: Recipe, options: OpenDataOptions): Promise<OpenedData> {
  const split = options.split ?? recipe.data.split ?? (options.purpose === 'eval' ? 'test' : 'train');
  const path = recipe.data.path;
  let base: SingleView;
  switch (recipe.data.kind) {
    case 'synthetic':
      base = await openSynthetic(recipe, options, split);
      break;
    case 'mmearth':
      base = await openMMEarth(path as string, recipe, options, split);
      break;
    case 'geotiff-folder':
      base = await openGeoTiffFolder(path as string, recipe, split);
      break;
    case 'scene-pairs':
      base = await openScene(path as string, recipe);
      break;
  }
  const views = options.purpose === 'pretrain' ? (recipe.input.views ?? 1) : 1;
  if (views === 1) return { ...base, specs: base.source.specs };
  if (views !== 2) {
    base.close();
    throw new UsageError(`recipe '${recipe.name}': input.views is ${views}; the CLI builds examples of 1 view or 2 (neighbour pairs).`);
  }
  try {
    const pairing = recipe.data.options?.pairs === 'crop' ? 'crop' : 'neighbours';
    if (pairing === 'crop') {
      const source = new CropPairSource(base.source, { size: recipe.input.size });
      return { ...base, source, specs: source.specs, description: `${base.description}; pairs: two random crops of each tile` };
    }
    let pairs: NeighborPair[];
    if (base.pairs) pairs = base.pairs();
    else {
      const footprints = base.footprints ? await base.footprints() : [];
      const usable = footprints.map((f, i) => ({ f, i })).filter((x): x is { f: Footprint; i: number } => x.f?.center !== undefined);
      const reach = 1.5 * Math.max(...usable.map(({ f }) => Math.max(f.box[2] - f.box[0], f.box[1] - f.box[3])), 0);
      pairs = geoPairs(usable.map((x) => x.f), { maxDistance: reach }).map((p) => ({ ...p, a: usable[p.a]!.i, b: usable[p.b]!.i }));
    }
    if (pairs.length === 0) {
      throw new UsageError(
        `${base.description}: no neighbouring tiles to pair for '${recipe.name}' (input.views 2). Use data whose tiles touch ` +
          `(the synthetic Earth, a DSen2 scene), or pair two random crops of each tile with --set data.options.pairs=crop.`,
      );
    }
    const source = new NeighborPairSource(base.source, pairs);
    return { ...base, source, specs: source.specs, description: `${base.description}; ${pairs.length} neighbour pairs` };
  } catch (error) {
    base.close();
    throw error;
  }
}

import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import {
  DataLoader,
  EUROSAT_MS_BANDS,
  GeoTiffFolderDataset,
  MMEARTH_S2_INPUT_BANDS,
  MMEarthDataset,
  SceneTileDataset,
  readGeoTiffInfo,
  readGeoTiffScene,
  type SampleSource,
} from '@terramae/datasets';
import type { Recipe } from '@terramae/recipes';
import { saveSafetensors } from '@terramae/tensors';
import { extractFeatures } from '@terramae/trainer';
import type { CliContext } from '../context';
import { UsageError } from '../errors';
import { detectPathKind } from '../data/detect';
import { recipeModalities } from '../data/recipe-modalities';
import { centerCropTransform } from '../data/transforms';
import { writeNpy } from '../util/npy-writer';
import { loadEncoder } from './load-encoder';

/** Options of {@link runEmbed}. */
export interface EmbedRunOptions {
  /** A GeoTIFF, a folder of GeoTIFFs (flat or class sub-folders), or an MMEarth-layout `.h5` / folder. */
  readonly input: string;
  /** Encoder weights (checkpoint folder, `.safetensors`, `.pth`); omit for random init. */
  readonly checkpoint?: string;
  readonly recipe: Recipe;
  /** `.npy` (features, plus `<out>.ids.json`) or `.safetensors` (`features`, `labels`, ids in the metadata). */
  readonly out: string;
  /** MMEarth split (default `all`). */
  readonly split?: string;
  /** Band names of GeoTIFF files, in file order (default: EuroSAT's 13 bands, or MMEarth's 12 for 12-band files). */
  readonly bands?: readonly string[];
  readonly batchSize?: number;
  readonly mmearthSparse?: boolean;
}

/** What {@link runEmbed} wrote. */
export interface EmbedRunResult {
  readonly out: string;
  readonly rows: number;
  readonly dim: number;
  readonly ids: readonly string[];
  readonly origin: string;
}

interface Images {
  readonly source: SampleSource;
  readonly ids: (position: number) => string;
  readonly close: () => void;
}

function tiffsIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.tiff?$/i.test(f))
    .sort()
    .map((f) => join(dir, f));
}

async function sourceBands(path: string, given: readonly string[] | undefined): Promise<readonly string[]> {
  if (given) return given;
  const n = (await readGeoTiffInfo(path)).bands;
  if (n === EUROSAT_MS_BANDS.length) return EUROSAT_MS_BANDS;
  if (n === MMEARTH_S2_INPUT_BANDS.length) return MMEARTH_S2_INPUT_BANDS;
  throw new UsageError(`${path} has ${n} bands; name them in file order with --bands B1,B2,… so they can be matched to the encoder's bands.`);
}

/** The images to embed: an MMEarth file, a GeoTIFF folder, or one GeoTIFF (tiled when it is large). */
async function openImages(options: EmbedRunOptions): Promise<Images> {
  const { input, recipe } = options;
  const kind = detectPathKind(input);
  const bands = recipe.input.bands ?? MMEARTH_S2_INPUT_BANDS;
  if (kind === 'mmearth') {
    const ds = await MMEarthDataset.open(input, { split: options.split ?? 'all', modalities: recipeModalities(recipe, { inputOnly: true }) });
    return { source: ds, ids: (i) => ds.tileInfo(i).tileId, close: () => ds.close() };
  }
  if (kind === 'geotiff-folder' || (statSync(input).isDirectory() && tiffsIn(input).length > 0)) {
    const flat = tiffsIn(input);
    const files = flat.length ? flat.map((path) => ({ path, label: 0, className: '' })) : undefined;
    const first = files?.[0]?.path;
    const common = { modality: recipe.input.modality, bands };
    const ds = files
      ? await GeoTiffFolderDataset.fromFiles(files, { ...common, sourceBands: await sourceBands(first as string, options.bands) })
      : await GeoTiffFolderDataset.open(input, { ...common, ...(options.bands ? { sourceBands: options.bands } : {}) });
    return { source: ds, ids: (i) => ds.files[i]?.path ?? String(i), close: () => undefined };
  }
  if (kind === 'geotiff') {
    const info = await readGeoTiffInfo(input);
    const size = recipe.input.size;
    const names = await sourceBands(input, options.bands);
    if (info.width >= 2 * size && info.height >= 2 * size && info.georef) {
      const scene = await readGeoTiffScene([{ path: input, bands: names }], { order: bands });
      const ds = new SceneTileDataset(scene, { size, bands, modality: recipe.input.modality });
      return { source: ds, ids: (i) => `${ds.tiles[i]?.row ?? '?'}_${ds.tiles[i]?.col ?? '?'}`, close: () => undefined };
    }
    const ds = await GeoTiffFolderDataset.fromFiles([{ path: input, label: 0, className: '' }], { modality: recipe.input.modality, bands, sourceBands: names });
    return { source: ds, ids: () => input, close: () => undefined };
  }
  throw new UsageError(`${input}: expected a GeoTIFF, a folder of GeoTIFFs, or an MMEarth-layout .h5 (or its folder).`);
}

/**
 * Features of images from a frozen encoder, written as `.npy` (`[N, D]` float32, ids in
 * `<out>.ids.json`) or safetensors (`features`, ids in the metadata): one row per MMEarth tile,
 * per GeoTIFF file (central crop at the recipe's input size), or per tile of a large GeoTIFF.
 */
export async function runEmbed(options: EmbedRunOptions, ctx: CliContext): Promise<EmbedRunResult> {
  const ext = extname(options.out).toLowerCase();
  if (ext !== '.npy' && ext !== '.safetensors') throw new UsageError(`--out ${options.out}: write features to a .npy or a .safetensors file.`);
  const images = await openImages(options);
  try {
    ctx.io.err(`images: ${images.source.length} from ${options.input}`);
    const encoder = loadEncoder({
      ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
      recipe: options.recipe,
      specs: images.source.specs,
      ...(options.mmearthSparse ? { mmearthSparse: true } : {}),
    });
    try {
      ctx.io.err(`encoder: ${encoder.origin}`);
      const loader = new DataLoader(images.source, {
        batchSize: options.batchSize ?? 32,
        shuffle: false,
        dropLast: false,
        transforms: [centerCropTransform(options.recipe.input.size)],
      });
      const { features } = await extractFeatures(encoder.backbone, loader, { modality: options.recipe.input.modality });
      const ids = Array.from({ length: features.rows }, (_, i) => images.ids(i));
      if (ext === '.npy') {
        writeNpy(options.out, features.data, [features.rows, features.cols]);
        writeFileSync(`${options.out}.ids.json`, `${JSON.stringify(ids, null, 1)}\n`);
      } else {
        saveSafetensors(
          options.out,
          { features: { data: features.data, shape: [features.rows, features.cols] } },
          { ids: JSON.stringify(ids), encoder: encoder.origin, recipe: options.recipe.name },
        );
      }
      return { out: options.out, rows: features.rows, dim: features.cols, ids, origin: encoder.origin };
    } finally {
      encoder.backbone.dispose();
    }
  } finally {
    images.close();
  }
}

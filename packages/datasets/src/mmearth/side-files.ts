import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatasetFileError } from '../errors';
import { JsonObjectIndex } from '../util/json-object-index';
import { parseJsonNonFinite } from '../util/json-nonfinite';

/** Per-channel statistics of one band-stats key (one entry per stored channel). */
export interface BandStatsEntry {
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly min: readonly number[];
  readonly max: readonly number[];
}

/** Contents of `<name>_band_stats.json`: key (`sentinel2_l1c`, `sentinel1`, …) → statistics. */
export type BandStats = Readonly<Record<string, BandStatsEntry>>;

/** Contents of `<name>_splits.json`: split name → indices into the HDF5 file. */
export type MMEarthSplits = Readonly<Record<string, readonly number[]>>;

/**
 * One entry of `<name>_tile_info.json` (keyed by tile id). Known MMEarth fields are typed; other
 * fields (for example the synthetic generator's `label`) pass through.
 */
export interface TileInfo {
  /** Sentinel-2 acquisition date, `YYYY-MM-DD`. */
  readonly S2_DATE?: string;
  /** Sentinel-2 product type: `l1c` or `l2a`. */
  readonly S2_type?: string;
  /** CRS of the export, e.g. `EPSG:32633`. */
  readonly CRS?: string;
  /** Tile centre latitude, degrees. */
  readonly lat?: number;
  /** Tile centre longitude, degrees. */
  readonly lon?: number;
  /** Biome class index. */
  readonly biome?: number;
  /** Ecoregion class index. */
  readonly eco_region?: number;
  /** Whether the tile had missing data at export. */
  readonly NO_DATA?: boolean;
  /** Band lists actually present (`sentinel1_desc: null` when the descending pass is absent). */
  readonly BANDS?: Readonly<Record<string, readonly string[] | null>>;
  readonly [key: string]: unknown;
}

/** The three JSON side files of an MMEarth-layout dataset. */
export interface MMEarthSideFiles {
  readonly bandStats: BandStats;
  readonly splits: MMEarthSplits;
  /** Tile id → tile info, read lazily for large files. */
  readonly tileInfo: TileInfoLookup;
}

/** Read access to tile info by tile id. */
export interface TileInfoLookup {
  get(tileId: string): TileInfo | undefined;
  has(tileId: string): boolean;
  readonly size: number;
}

/** Paths of an MMEarth-layout dataset: the HDF5 file and its three side files. */
export interface MMEarthPaths {
  readonly h5: string;
  readonly bandStats: string;
  readonly splits: string;
  readonly tileInfo: string;
}

/**
 * Resolve the files of an MMEarth-layout dataset from the `.h5` file or from its folder (which
 * must hold exactly one `data_*.h5`, or exactly one `.h5`, as the reference expects).
 * Side files are `<stem>_band_stats.json`, `<stem>_splits.json`, `<stem>_tile_info.json`.
 */
export function resolveMMEarthPaths(path: string): MMEarthPaths {
  if (!existsSync(path)) {
    throw new DatasetFileError(path, `MMEarth dataset not found: ${path} does not exist. Pass the .h5 file or its folder.`);
  }
  let h5 = path;
  if (statSync(path).isDirectory()) {
    const all = readdirSync(path).filter((f) => f.endsWith('.h5'));
    const data = all.filter((f) => f.startsWith('data_'));
    const pick = data.length > 0 ? data : all;
    if (pick.length !== 1) {
      throw new DatasetFileError(
        path,
        pick.length === 0
          ? `No .h5 file in ${path}. An MMEarth folder holds one data_*.h5 and its three JSON side files.`
          : `Several .h5 files in ${path} (${pick.join(', ')}): pass the one to open.`,
      );
    }
    h5 = join(path, pick[0] as string);
  }
  const stem = join(dirname(h5), basename(h5).replace(/\.h5$/, ''));
  return {
    h5,
    bandStats: `${stem}_band_stats.json`,
    splits: `${stem}_splits.json`,
    tileInfo: `${stem}_tile_info.json`,
  };
}

/** Read the three side files (tile info is indexed, and parsed per entry when it is large). */
export function readMMEarthSideFiles(paths: MMEarthPaths): MMEarthSideFiles {
  const bandStats = readJson(paths.bandStats, 'band statistics') as BandStats;
  validateBandStats(bandStats, paths.bandStats);
  const splits = readJson(paths.splits, 'splits') as MMEarthSplits;
  for (const [name, list] of Object.entries(splits)) {
    if (!Array.isArray(list) || list.some((v) => !Number.isInteger(v) || v < 0)) {
      throw new DatasetFileError(paths.splits, `${paths.splits}: split "${name}" must be a list of non-negative integer indices.`);
    }
  }
  requireFile(paths.tileInfo, 'tile info');
  const index = JsonObjectIndex.open(paths.tileInfo);
  const tileInfo: TileInfoLookup = {
    get: (id) => index.get(id) as TileInfo | undefined,
    has: (id) => index.has(id),
    get size() {
      return index.size;
    },
  };
  return { bandStats, splits, tileInfo };
}

function requireFile(path: string, what: string): void {
  if (!existsSync(path)) {
    throw new DatasetFileError(
      path,
      `Missing ${what} file ${path}. An MMEarth-layout dataset needs <name>.h5 with <name>_band_stats.json, ` +
        '<name>_splits.json and <name>_tile_info.json beside it.',
    );
  }
}

function readJson(path: string, what: string): unknown {
  requireFile(path, what);
  try {
    return parseJsonNonFinite(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new DatasetFileError(path, `${path} (${what}) is not valid JSON: ${(cause as Error).message}`, { cause });
  }
}

function validateBandStats(stats: BandStats, path: string): void {
  if (stats === null || typeof stats !== 'object') throw new DatasetFileError(path, `${path} must hold a JSON object.`);
  for (const [key, entry] of Object.entries(stats)) {
    for (const field of ['mean', 'std'] as const) {
      if (!Array.isArray(entry?.[field])) {
        throw new DatasetFileError(path, `${path}: "${key}.${field}" must be a list with one value per stored channel.`);
      }
    }
  }
}

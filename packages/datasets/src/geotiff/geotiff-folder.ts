import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Rng, type ModalitySpec, type Sample } from '@terramae/tensors';
import { BadSampleError, DatasetError, DatasetFileError, DatasetFormatError } from '../errors';
import type { Footprint } from '../geo/footprint';
import { MMEARTH_S2_INPUT_BANDS } from '../modalities/mmearth-modalities';
import { hasModality, getModality } from '../modalities/modality-registry';
import type { SampleSource } from '../loader/source';
import { BandStatsAccumulator } from '../mmearth/band-stats-accumulator';
import { bandsToHwc, type ZScoreStats } from '../util/hwc';
import { bandIndices, EUROSAT_MS_BANDS } from './band-map';
import { readGeoTiff, readGeoTiffInfo, type GeoTiffInfo } from './read-geotiff';

/** One file of a {@link GeoTiffFolderDataset}. */
export interface GeoTiffFile {
  readonly path: string;
  /** Class index (position of the class name in `classes`). */
  readonly label: number;
  readonly className: string;
}

/** Options of {@link GeoTiffFolderDataset}. */
export interface GeoTiffFolderOptions {
  /** Band names in the order the files store them (default {@link EUROSAT_MS_BANDS}). */
  readonly sourceBands?: readonly string[];
  /** Bands to produce, by name, in this order (default MMEarth's 12 S2 input bands). */
  readonly bands?: readonly string[];
  /** Modality name of the produced array (default `sentinel2`). */
  readonly modality?: string;
  /** Required sample type of every file (default: the registry dtype of `modality`, else any). */
  readonly dtype?: string | 'any';
  /**
   * Per-band z-score: `compute` (default; mean/std over the files, or a seeded subset of
   * `statsFiles` of them), explicit statistics aligned with `bands`, or `none` (raw values).
   */
  readonly stats?: 'compute' | 'none' | ZScoreStats;
  /** Files used to compute statistics (default 512). */
  readonly statsFiles?: number;
  /** Class folder names in label order (default: the sub-folders, sorted). */
  readonly classes?: readonly string[];
  /** File extensions to read (default `.tif`, `.tiff`). */
  readonly extensions?: readonly string[];
}

/**
 * A labelled folder of GeoTIFFs, one sub-folder per class (the EuroSAT layout:
 * `<root>/<Class>/<Class>_<n>.tif`), as a {@link SampleSource}. Bands are mapped by name (EuroSAT's
 * B8A-last order to MMEarth's order, B10 dropped), z-scored, and returned HWC float32 with
 * `meta.label` (the class index, collated into `Batch.labels`). Footprints come from each file's
 * georeferencing, in its CRS and in lon/lat.
 */
export class GeoTiffFolderDataset implements SampleSource<Sample> {
  readonly views = 1;
  readonly specs: Readonly<Record<string, ModalitySpec>>;
  /** Band indices into the files, in output order. */
  readonly bandIndex: readonly number[];
  private readonly footprintCache = new Map<number, Footprint>();

  private constructor(
    /** The files, in dataset order (class, then file name). */
    readonly files: readonly GeoTiffFile[],
    /** Class names in label order. */
    readonly classes: readonly string[],
    /** Options with defaults filled in. */
    readonly options: Required<Omit<GeoTiffFolderOptions, 'stats' | 'classes'>>,
    /** The z-score statistics in use (aligned with `options.bands`), or undefined for raw values. */
    readonly stats: ZScoreStats | undefined,
    private readonly expectedDtype: string | undefined,
  ) {
    this.bandIndex = bandIndices(options.sourceBands, options.bands, 'GeoTiffFolderDataset');
    const modality = options.modality;
    const def = hasModality(modality) ? getModality(modality) : undefined;
    this.specs = {
      [modality]: {
        name: modality, level: 'pixel', kind: 'continuous', bands: [...options.bands],
        ...(def?.dtype ? { dtype: def.dtype } : {}),
        description: def?.description ?? `${modality} from GeoTIFF files`,
      },
    };
  }

  /** Scan `<root>/<Class>/*.tif` and prepare the dataset (computing statistics unless given). */
  static async open(root: string, options: GeoTiffFolderOptions = {}): Promise<GeoTiffFolderDataset> {
    if (!existsSync(root) || !statSync(root).isDirectory()) {
      throw new DatasetFileError(root, `GeoTIFF folder not found: ${root} (expected <root>/<Class>/<file>.tif).`);
    }
    const extensions = (options.extensions ?? ['.tif', '.tiff']).map((e) => e.toLowerCase());
    const classes = options.classes ?? readdirSync(root).filter((d) => statSync(join(root, d)).isDirectory()).sort();
    if (classes.length === 0) throw new DatasetFileError(root, `${root} has no class sub-folders (expected <root>/<Class>/<file>.tif).`);
    const files: GeoTiffFile[] = [];
    classes.forEach((className, label) => {
      const dir = join(root, className);
      if (!existsSync(dir)) throw new DatasetFileError(dir, `Class folder ${dir} does not exist.`);
      const names = readdirSync(dir).filter((f) => extensions.some((e) => f.toLowerCase().endsWith(e))).sort(naturalCompare);
      for (const f of names) files.push({ path: join(dir, f), label, className });
    });
    return GeoTiffFolderDataset.fromFiles(files, { ...options, classes });
  }

  /** A dataset over an explicit list of files (labels given). */
  static async fromFiles(files: readonly GeoTiffFile[], options: GeoTiffFolderOptions = {}): Promise<GeoTiffFolderDataset> {
    if (files.length === 0) throw new DatasetError('GeoTiffFolderDataset: no GeoTIFF files found.');
    const modality = options.modality ?? 'sentinel2';
    const filled = {
      sourceBands: options.sourceBands ?? EUROSAT_MS_BANDS,
      bands: options.bands ?? MMEARTH_S2_INPUT_BANDS,
      modality,
      dtype: options.dtype ?? (hasModality(modality) ? getModality(modality).dtype : 'any'),
      statsFiles: options.statsFiles ?? 512,
      extensions: options.extensions ?? ['.tif', '.tiff'],
    };
    const classes = options.classes ?? [...new Set(files.map((f) => f.className))];
    const expected = filled.dtype === 'any' ? undefined : filled.dtype;
    const ds = new GeoTiffFolderDataset(files, classes, filled, undefined, expected);
    const stats = options.stats ?? 'compute';
    if (stats === 'none') return ds;
    if (stats === 'compute') return ds.withStats(await ds.computeStats());
    if (stats.mean.length !== filled.bands.length || stats.std.length !== filled.bands.length) {
      throw new DatasetFormatError(
        `GeoTiffFolderDataset: stats give ${stats.mean.length} means and ${stats.std.length} stds for ${filled.bands.length} bands (${filled.bands.join(', ')}).`,
      );
    }
    return ds.withStats(stats);
  }

  /** Number of files. */
  get length(): number {
    return this.files.length;
  }

  describe(position: number): string {
    return this.files[position]?.path ?? `position ${position}`;
  }

  /** A copy of this dataset using other statistics (e.g. the training split's on the test split). */
  withStats(stats: ZScoreStats | undefined): GeoTiffFolderDataset {
    return new GeoTiffFolderDataset(this.files, this.classes, this.options, stats, this.expectedDtype);
  }

  /** Per-band mean and population std over the files (a seeded subset of `statsFiles`), no-data excluded. */
  async computeStats(): Promise<ZScoreStats> {
    const n = this.files.length;
    const order = n <= this.options.statsFiles ? Array.from({ length: n }, (_, i) => i) : new Rng(0).permutation(n).slice(0, this.options.statsFiles);
    const acc = new BandStatsAccumulator(this.bandIndex.length);
    for (const i of order) {
      const { raster } = await this.readChecked(i);
      const hw = raster.width * raster.height;
      const chw = new Float64Array(this.bandIndex.length * hw);
      this.bandIndex.forEach((b, k) => {
        const src = raster.data[b] as ArrayLike<number>;
        for (let p = 0; p < hw; p++) {
          const v = src[p] as number;
          chw[k * hw + p] = v === raster.noData ? Number.NaN : v;
        }
      });
      acc.addChannelFirst(chw);
    }
    const r = acc.result();
    r.std.forEach((s, k) => {
      if (!(s > 0)) {
        throw new DatasetFormatError(
          `GeoTiffFolderDataset: band "${this.options.bands[k]}" is constant (std ${s}) over ${order.length} files; it cannot be z-scored. Drop it from bands or pass stats.`,
        );
      }
    });
    return { mean: r.mean, std: r.std };
  }

  /** The sample at `position`: the selected bands HWC, z-scored, with `meta.label`. */
  async get(position: number): Promise<Sample> {
    const file = this.files[position];
    if (!file) throw new RangeError(`position ${position} is out of range [0, ${this.files.length}).`);
    const { raster } = await this.readChecked(position);
    const hw = raster.width * raster.height;
    const { data, unexpectedNonFinite } = bandsToHwc(raster.data, this.bandIndex, hw, this.stats, raster.noData);
    if (unexpectedNonFinite > 0) {
      throw new BadSampleError({
        index: position, file: file.path, reason: 'non-finite-input',
        detail: `${unexpectedNonFinite} NaN/inf values in the selected bands (and no GDAL no-data value declares them).`,
      });
    }
    const meta: Record<string, unknown> = { label: file.label, className: file.className, path: file.path };
    if (raster.footprint) {
      meta.crs = raster.footprint.crs;
      if (raster.footprint.center) meta.center = raster.footprint.center;
      this.footprintCache.set(position, raster.footprint);
    }
    return {
      index: position,
      id: basename(file.path),
      modalities: { [this.options.modality]: { data, shape: [raster.height, raster.width, this.bandIndex.length] } },
      meta,
    };
  }

  /** Footprint of the file at `position` (reads its header); an error naming the file when it is not georeferenced. */
  async footprint(position: number): Promise<Footprint> {
    const cached = this.footprintCache.get(position);
    if (cached) return cached;
    const file = this.files[position];
    if (!file) throw new RangeError(`position ${position} is out of range [0, ${this.files.length}).`);
    const info = await readGeoTiffInfo(file.path);
    if (!info.footprint) {
      throw new DatasetFormatError(
        `${file.path} has no georeferencing (no ModelTiepoint/ModelPixelScale or ModelTransformation), so its footprint is unknown. ` +
          'Neighbour pairing by location needs georeferenced files.',
      );
    }
    this.footprintCache.set(position, info.footprint);
    return info.footprint;
  }

  /** Footprints of every file, in dataset order. */
  async footprints(): Promise<Footprint[]> {
    const out: Footprint[] = [];
    for (let i = 0; i < this.files.length; i++) out.push(await this.footprint(i));
    return out;
  }

  private async readChecked(position: number) {
    const file = this.files[position] as GeoTiffFile;
    let raster;
    try {
      raster = await readGeoTiff(file.path);
    } catch (cause) {
      throw new BadSampleError({ index: position, file: file.path, reason: 'read-error', detail: (cause as Error).message }, { cause });
    }
    this.checkHeader(raster, position);
    return { raster };
  }

  private checkHeader(info: GeoTiffInfo, position: number): void {
    const path = info.path;
    if (info.bands !== this.options.sourceBands.length) {
      throw new BadSampleError({
        index: position, file: path, reason: 'bad-shape',
        detail: `the file has ${info.bands} bands, but sourceBands lists ${this.options.sourceBands.length} (${this.options.sourceBands.join(', ')}). Fix sourceBands or the file.`,
      });
    }
    if (this.expectedDtype && info.dtype !== this.expectedDtype) {
      throw new BadSampleError({
        index: position, file: path, reason: 'bad-shape',
        detail: `the file stores ${info.dtype}, expected ${this.expectedDtype} for "${this.options.modality}" (pass dtype: 'any' to accept it).`,
      });
    }
  }
}

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}

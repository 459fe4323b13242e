import type { ModalitySpec, Sample, SampleArray } from '@terramae/tensors';
import { BadSampleError, DatasetError, DatasetFormatError } from '../errors';
import { MMEARTH_ALL_MOD, type BandSelection } from '../modalities/mmearth-modalities';
import type { SampleSource } from '../loader/source';
import { H5MMEarthStore } from './h5-store';
import {
  planModalities,
  processModality,
  type ModalityPlan,
  type NoDataOrder,
  type ProcessOptions,
} from './process-modality';
import { readMMEarthSideFiles, resolveMMEarthPaths, type BandStatsEntry, type MMEarthSideFiles, type TileInfo } from './side-files';
import type { MMEarthStore } from './store';

/** Options of {@link MMEarthDataset}. */
export interface MMEarthDatasetOptions {
  /** A split of `<name>_splits.json` (default `train`), `all`, or explicit HDF5 indices. */
  readonly split?: string | readonly number[];
  /**
   * Modalities and bands to read (default {@link MMEARTH_ALL_MOD}: the 12-band S2 input and the 11
   * MMEarth targets). A list of names selects MMEarth's default bands of each (S2: the 12 input
   * bands; `{ sentinel2: 'all' }` gives all 13).
   */
  readonly modalities?: Readonly<Record<string, BandSelection>> | readonly string[];
  /** Modalities that feed the encoder (default `['sentinel2']`): always sanitised to finite values. */
  readonly inputs?: readonly string[];
  /** Normalisation vs no-data order (default `normalize-first`, as the released weights). */
  readonly order?: NoDataOrder;
  /** Z-score continuous modalities (default true). */
  readonly normalize?: boolean;
  /** Missing continuous pixel targets become 0 (default, as the reference) or NaN. */
  readonly pixelTargetNonFinite?: 'zero' | 'nan';
  /** An all-zero biome/ecoregion one-hot row becomes class 0 (default, as the reference) or ignore. */
  readonly missingOneHot?: 'class0' | 'ignore';
  /**
   * A raw input value that is non-finite but not the declared no-data value is corruption:
   * `error` (default) raises a `BadSampleError` (the loader's policy then fails or skips);
   * `sanitize` silently replaces it with 0.
   */
  readonly nonFiniteInput?: 'error' | 'sanitize';
  /**
   * Tile-info field copied to `sample.meta.label` (collated into `Batch.labels`), e.g. `label`
   * (the synthetic Earth's dominant land cover) or `biome`.
   */
  readonly labelField?: string;
}

/**
 * An MMEarth-layout dataset (the MMEarth, MMEarth64 and MMEarth100k releases, files written by
 * {@link MMEarthWriter}, or the synthetic Earth in memory) as a {@link SampleSource}.
 *
 * Each sample is read on demand (one HDF5 chunk per modality), bands are selected by name, the
 * Sentinel-2 statistics are chosen per tile from its `S2_type` (L1C or L2A), and the values are
 * processed as MMEarth's `MMEarthDataset.__getitem__` does (see {@link NoDataOrder}).
 * Pixel arrays come out HWC; categorical maps `[H, W, 1]` int32 with -1 where missing.
 *
 * @example
 * ```ts
 * const ds = await MMEarthDataset.open('data_1M_v001_64/', { split: 'train' });
 * const s = await ds.get(0); // s.modalities.sentinel2: 64x64x12 z-scored
 * ds.close();
 * ```
 */
export class MMEarthDataset implements SampleSource<Sample> {
  /** HDF5 indices of the samples, in dataset order. */
  readonly indices: readonly number[];
  readonly specs: Readonly<Record<string, ModalitySpec>>;
  readonly views = 1;
  /** Modalities read, in order. */
  readonly plans: readonly ModalityPlan[];
  private readonly processOptions: ProcessOptions;
  private readonly nonFiniteInput: 'error' | 'sanitize';
  private readonly labelField: string | undefined;
  private readonly statsCache = new Map<string, { mean: number[]; std: number[] }>();

  constructor(
    /** The raw sample store. */
    readonly store: MMEarthStore,
    /** The three side files. */
    readonly side: MMEarthSideFiles,
    options: MMEarthDatasetOptions = {},
  ) {
    const split = options.split ?? 'train';
    if (typeof split === 'string') {
      if (split === 'all') this.indices = Array.from({ length: store.length }, (_, i) => i);
      else {
        const list = side.splits[split];
        if (!list) {
          throw new DatasetFormatError(
            `${store.source}: no split "${split}" in the splits file. Splits: ${Object.keys(side.splits).join(', ') || '(none)'}; or use 'all'.`,
          );
        }
        this.indices = list;
      }
    } else this.indices = split;
    for (const i of this.indices) {
      if (!Number.isInteger(i) || i < 0 || i >= store.length) {
        throw new DatasetFormatError(`${store.source}: split index ${i} is out of range [0, ${store.length}).`);
      }
    }
    const inputs = options.inputs ?? ['sentinel2'];
    this.plans = planModalities(options.modalities ?? MMEARTH_ALL_MOD, inputs, store.modalities(), store.source);
    const specs: Record<string, ModalitySpec> = {};
    for (const plan of this.plans) {
      specs[plan.name] = plan.spec;
      const shape = store.shape(plan.name);
      if (shape[0] !== plan.def.storedBands.length) {
        throw new DatasetFormatError(
          `${store.source}: modality "${plan.name}" has ${shape[0]} stored channels, the registry expects ${plan.def.storedBands.length}.`,
        );
      }
    }
    this.specs = specs;
    this.processOptions = {
      order: options.order ?? 'normalize-first',
      normalize: options.normalize ?? true,
      pixelTargetNonFinite: options.pixelTargetNonFinite ?? 'zero',
      missingOneHot: options.missingOneHot ?? 'class0',
    };
    this.nonFiniteInput = options.nonFiniteInput ?? 'error';
    this.labelField = options.labelField;
    if (this.processOptions.normalize) this.checkStatsKeys();
  }

  /**
   * Open an MMEarth-layout HDF5 file (or the folder holding it) with its three side files.
   * Nothing is loaded but the side files (tile info is indexed, not parsed, when large).
   */
  static async open(path: string, options: MMEarthDatasetOptions = {}): Promise<MMEarthDataset> {
    const paths = resolveMMEarthPaths(path);
    const side = readMMEarthSideFiles(paths);
    const store = await H5MMEarthStore.open(paths.h5);
    try {
      return new MMEarthDataset(store, side, options);
    } catch (e) {
      store.close();
      throw e;
    }
  }

  /** Number of samples in the split. */
  get length(): number {
    return this.indices.length;
  }

  /** Tile id and tile info of the sample at `position`. */
  tileInfo(position: number): { tileId: string; info: TileInfo | undefined } {
    const meta = this.store.meta(this.indexAt(position));
    return { tileId: meta.tileId, info: this.side.tileInfo.get(meta.tileId) };
  }

  describe(position: number): string {
    const index = this.indices[position];
    return `${this.store.source}, sample ${index ?? `?(position ${position})`}`;
  }

  /** The processed sample at `position` in the split. */
  async get(position: number): Promise<Sample> {
    const index = this.indexAt(position);
    const file = this.store.source;
    let tileId: string;
    let storedType: string;
    try {
      ({ tileId, s2Type: storedType } = this.store.meta(index));
    } catch (cause) {
      throw new BadSampleError({ index, file, reason: 'read-error', detail: (cause as Error).message }, { cause });
    }
    const info = this.side.tileInfo.get(tileId);
    if (!info) {
      throw new BadSampleError({
        index, file, reason: 'missing-metadata',
        detail: `tile id "${tileId}" is not in the tile-info file, so its Sentinel-2 product type (L1C/L2A) is unknown.`,
      });
    }
    const s2Type = String(info.S2_type ?? storedType).toLowerCase();
    const modalities: Record<string, SampleArray> = {};
    for (const plan of this.plans) {
      let raw;
      try {
        raw = this.store.read(plan.name, index);
      } catch (cause) {
        throw new BadSampleError(
          { index, file, reason: 'read-error', detail: `modality "${plan.name}" (tile ${tileId}): ${(cause as Error).message}` },
          { cause },
        );
      }
      const stats = this.processOptions.normalize ? this.statsFor(plan, s2Type, index, tileId) : undefined;
      const { array, unexpectedNonFinite } = processModality(plan, raw, this.store.shape(plan.name), stats, this.processOptions);
      if (unexpectedNonFinite > 0 && this.nonFiniteInput === 'error') {
        throw new BadSampleError({
          index, file, reason: 'non-finite-input',
          detail: `input modality "${plan.name}" (tile ${tileId}) has ${unexpectedNonFinite} NaN/inf values that are not its no-data value.`,
        });
      }
      modalities[plan.name] = array;
    }
    const meta: Record<string, unknown> = { tileId, s2Type, date: info.S2_DATE, crs: info.CRS, lat: info.lat, lon: info.lon };
    if (this.labelField !== undefined) {
      const label = info[this.labelField];
      if (typeof label !== 'number') {
        throw new BadSampleError({
          index, file, reason: 'missing-metadata', detail: `tile "${tileId}" has no numeric tile-info field "${this.labelField}" (labelField).`,
        });
      }
      meta.label = label;
    }
    return { index, id: tileId, modalities, meta };
  }

  /** Close the underlying file. */
  close(): void {
    this.store.close();
  }

  private indexAt(position: number): number {
    const index = this.indices[position];
    if (index === undefined) throw new RangeError(`position ${position} is out of range [0, ${this.indices.length}).`);
    return index;
  }

  private statsKeyFor(plan: ModalityPlan, s2Type: string): string | undefined {
    const key = plan.def.statsKey;
    if (key === undefined || plan.def.kind !== 'continuous') return undefined;
    if (typeof key === 'string') return key;
    if (s2Type !== 'l1c' && s2Type !== 'l2a') return undefined;
    return key[s2Type];
  }

  private statsFor(plan: ModalityPlan, s2Type: string, index: number, tileId: string): { mean: number[]; std: number[] } | undefined {
    if (plan.def.kind !== 'continuous' || plan.def.statsKey === undefined) return undefined;
    const key = this.statsKeyFor(plan, s2Type);
    if (key === undefined) {
      throw new BadSampleError({
        index, file: this.store.source, reason: 'missing-metadata',
        detail: `tile "${tileId}" has S2_type "${s2Type}"; expected l1c or l2a to choose the statistics of "${plan.name}".`,
      });
    }
    const cacheKey = `${plan.name}\u0000${key}`;
    let stats = this.statsCache.get(cacheKey);
    if (!stats) {
      const entry = this.side.bandStats[key];
      if (!entry) {
        throw new DatasetError(
          `${this.store.source}: the band-stats file has no "${key}" statistics (needed for "${plan.name}" of tile "${tileId}"). ` +
            `Keys present: ${Object.keys(this.side.bandStats).join(', ')}.`,
        );
      }
      stats = selectStats(entry, plan, key, this.store.source);
      this.statsCache.set(cacheKey, stats);
    }
    return stats;
  }

  private checkStatsKeys(): void {
    for (const plan of this.plans) {
      const key = plan.def.statsKey;
      if (key === undefined || plan.def.kind !== 'continuous') continue;
      const keys = typeof key === 'string' ? [key] : [key.l1c, key.l2a];
      const present = keys.filter((k) => this.side.bandStats[k]);
      if (present.length === 0) {
        throw new DatasetFormatError(
          `${this.store.source}: the band-stats file has no ${keys.join(' / ')} statistics for "${plan.name}". ` +
            `Keys present: ${Object.keys(this.side.bandStats).join(', ')}. Pass normalize: false to read raw values.`,
        );
      }
      for (const k of present) selectStats(this.side.bandStats[k] as BandStatsEntry, plan, k, this.store.source);
    }
  }
}

const warnedStats = new Set<string>();

function selectStats(entry: BandStatsEntry, plan: ModalityPlan, key: string, source: string): { mean: number[]; std: number[] } {
  const n = plan.def.storedBands.length;
  if (entry.mean.length !== n || entry.std.length !== n) {
    throw new DatasetFormatError(
      `${source}: band stats "${key}" have ${entry.mean.length} means and ${entry.std.length} stds; "${plan.name}" stores ${n} channels.`,
    );
  }
  const mean = plan.channels.map((c) => entry.mean[c] as number);
  const std = plan.channels.map((c) => entry.std[c] as number);
  plan.channels.forEach((c, k) => {
    if (!(Number.isFinite(std[k]) && (std[k] as number) > 0) || !Number.isFinite(mean[k])) {
      const band = plan.def.storedBands[c];
      const warnKey = `${source}\u0000${key}\u0000${band}`;
      if (!warnedStats.has(warnKey)) {
        warnedStats.add(warnKey);
        console.warn(
          `[terramae] ${source}: band stats "${key}" give band "${band}" of "${plan.name}" mean ${mean[k]} and std ${std[k]} ` +
            '(no valid values when the statistics were computed?). Its values are treated as missing; drop the band from the selection to silence this.',
        );
      }
      mean[k] = Number.NaN;
      std[k] = Number.NaN;
    }
  });
  return { mean, std };
}

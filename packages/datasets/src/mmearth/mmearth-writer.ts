import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Rng } from '@terramae/tensors';
import { DatasetFileError, DatasetFormatError } from '../errors';
import type { ModalityDefinition } from '../modalities/modality-definition';
import { getModality } from '../modalities/modality-registry';
import { loadH5wasm, summarizeH5Error, type H5Dataset, type H5File } from '../util/h5wasm';
import { stringifyJsonNonFinite } from '../util/json-nonfinite';
import { h5DtypeString, typedArrayFor, type NumericArray } from '../util/typed-arrays';
import { BandStatsCollector } from './band-stats-collector';
import { resolveMMEarthPaths, type BandStats, type MMEarthPaths, type MMEarthSplits, type TileInfo } from './side-files';

/** Options of {@link MMEarthWriter.create}. */
export interface MMEarthWriterOptions {
  /** Number of samples the file will hold (datasets are created `[N, …]` as in the release). */
  readonly numSamples: number;
  /** Tile size S of pixel modalities. */
  readonly tileSize: number;
  /** Registered modality names to store (each becomes one HDF5 dataset). */
  readonly modalities: readonly string[];
  /** gzip level 0..9 (default 4, as the release; 0 = uncompressed, fastest). */
  readonly compression?: number;
  /**
   * A sample that lacks a modality: `error` (default) or `fill` with the modality's no-data
   * value (an all-zero row for one-hot modalities).
   */
  readonly missing?: 'error' | 'fill';
  /** Overwrite an existing file (default false). */
  readonly overwrite?: boolean;
  /**
   * Samples buffered and written to HDF5 together (default 32). Chunks stay one sample each;
   * larger blocks only cut the per-call overhead of h5wasm.
   */
  readonly blockSize?: number;
}

/** Values of one modality of one sample: stored layout `[C, S, S]` / `[C]` (flat), or HWC with `layout: 'hwc'`. */
export type WriterArray = ArrayLike<number> | { readonly data: ArrayLike<number>; readonly layout: 'hwc' | 'chw' };

/** One sample for {@link MMEarthWriter.write}. */
export interface MMEarthWriterSample {
  /** Unique tile id (the key of its tile-info entry; at most 100 bytes). */
  readonly tileId: string;
  /** Sentinel-2 product type (default `l1c`); chooses the statistics key of sentinel2. */
  readonly s2Type?: 'l1c' | 'l2a';
  /** Modality name → values. */
  readonly data: Readonly<Record<string, WriterArray>>;
  /**
   * Tile-info fields (`S2_DATE`, `CRS`, `lat`, `lon`, `biome`, `eco_region`, or your own such as
   * `label`). `lat`/`lon`/`month`/`biome`/`eco_region` data that are not given are derived from
   * `lat`, `lon`, `S2_DATE`, `biome` and `eco_region` here.
   */
  readonly tileInfo?: Readonly<Partial<TileInfo>>;
}

/** How {@link MMEarthWriter.close} assigns samples to splits. */
export type SplitSpec = MMEarthSplits | { readonly fractions: Readonly<Record<string, number>>; readonly seed?: number };

/** What {@link MMEarthWriter.close} wrote. */
export interface MMEarthWriteResult {
  readonly paths: MMEarthPaths;
  readonly bandStats: BandStats;
  readonly splits: MMEarthSplits;
  readonly numSamples: number;
}

/**
 * Writes an MMEarth-layout dataset: one HDF5 file with one gzip-compressed dataset per modality,
 * chunked one sample at a time, `[N, C, S, S]` / `[N, C]` in the registry's dtypes, the
 * `metadata` compound (`tile_id`, `S2_type`), and the three JSON side files, with band statistics
 * (mean, population std, min, max; no-data and non-finite values excluded; Sentinel-2 separately
 * for L1C and L2A) computed while writing. The result opens with {@link MMEarthDataset} and with
 * h5py / MMEarth's own loader.
 *
 * @example
 * ```ts
 * const w = await MMEarthWriter.create('out/data_myregion_64.h5', { numSamples: 2, tileSize: 64, modalities: ['sentinel2', 'lat', 'lon', 'month'] });
 * w.write({ tileId: 'a', data: { sentinel2: s2Chw }, tileInfo: { lat: 46.1, lon: 14.5, S2_DATE: '2020-06-01' } });
 * w.write({ tileId: 'b', data: { sentinel2: s2Chw2 }, tileInfo: { lat: 46.2, lon: 14.5, S2_DATE: '2020-07-01' } });
 * await w.close({ fractions: { train: 0.5, val: 0.5 } });
 * ```
 */
export class MMEarthWriter {
  private written = 0;
  private closed = false;
  private readonly defs: ModalityDefinition[];
  private readonly datasets = new Map<string, H5Dataset>();
  private readonly stats = new BandStatsCollector();
  private readonly tileInfo: Record<string, TileInfo> = {};
  private readonly compression: number;
  private readonly missing: 'error' | 'fill';
  private warnedReflectance = false;
  private readonly blockSize: number;
  private readonly blocks = new Map<string, NumericArray>();
  private blockStart = 0;
  private blockIds: string[] = [];
  private blockTypes: string[] = [];

  private constructor(
    private readonly file: H5File,
    private readonly tmpPath: string,
    /** Paths of the HDF5 file and its side files. */
    readonly paths: MMEarthPaths,
    private readonly options: MMEarthWriterOptions,
  ) {
    this.defs = options.modalities.map((m) => getModality(m));
    this.compression = options.compression ?? 4;
    this.missing = options.missing ?? 'error';
    this.blockSize = Math.max(1, Math.min(options.blockSize ?? 32, options.numSamples));
    const N = options.numSamples;
    const S = options.tileSize;
    for (const def of this.defs) {
      const per = def.level === 'pixel' ? [def.storedBands.length, S, S] : [def.storedBands.length];
      const Ctor = typedArrayFor(def.dtype);
      const ds = file.create_dataset({
        name: def.name,
        data: new Ctor(0),
        shape: [0, ...per],
        maxshape: [N, ...per],
        dtype: h5DtypeString(def.dtype),
        chunks: [1, ...per],
        ...(this.compression > 0 ? { compression: 'gzip' as const, compression_opts: this.compression } : {}),
      });
      ds.resize([N, ...per]);
      this.datasets.set(def.name, ds);
      this.blocks.set(def.name, new Ctor(this.blockSize * per.reduce((a, b) => a * b, 1)));
    }
    const meta = file.create_dataset({
      name: 'metadata',
      data: new Map<string, string[]>([['tile_id', []], ['S2_type', []]]),
      shape: [0],
      maxshape: [N],
      dtype: [['tile_id', 'A100'], ['S2_type', 'A10']],
      chunks: [1],
      ...(this.compression > 0 ? { compression: 'gzip' as const, compression_opts: this.compression } : {}),
    });
    meta.resize([N]);
    this.datasets.set('metadata', meta);
  }

  /**
   * Create `<name>.h5` (written to `<name>.h5.partial` and renamed by {@link MMEarthWriter.close},
   * so an interrupted write never leaves a file that looks complete).
   */
  static async create(path: string, options: MMEarthWriterOptions): Promise<MMEarthWriter> {
    if (!path.endsWith('.h5')) throw new DatasetFormatError(`MMEarthWriter: the output must be a .h5 file, got ${path}.`);
    if (!(Number.isInteger(options.numSamples) && options.numSamples > 0)) {
      throw new DatasetFormatError(`MMEarthWriter: numSamples must be a positive integer, got ${options.numSamples}.`);
    }
    if (!(Number.isInteger(options.tileSize) && options.tileSize > 0)) {
      throw new DatasetFormatError(`MMEarthWriter: tileSize must be a positive integer, got ${options.tileSize}.`);
    }
    if (options.modalities.length === 0) throw new DatasetFormatError('MMEarthWriter: no modalities to write.');
    if (new Set(options.modalities).size !== options.modalities.length) {
      throw new DatasetFormatError(`MMEarthWriter: a modality is listed twice in ${options.modalities.join(', ')}.`);
    }
    if (existsSync(path) && !options.overwrite) {
      throw new DatasetFileError(path, `${path} already exists. Pass overwrite: true to replace it.`);
    }
    mkdirSync(dirname(path), { recursive: true });
    const stem = path.replace(/\.h5$/, '');
    const paths: MMEarthPaths = {
      h5: path,
      bandStats: `${stem}_band_stats.json`,
      splits: `${stem}_splits.json`,
      tileInfo: `${stem}_tile_info.json`,
    };
    const tmpPath = `${path}.partial`;
    const h5 = await loadH5wasm();
    let file: H5File;
    try {
      file = new h5.File(tmpPath, 'w');
    } catch (cause) {
      throw new DatasetFileError(tmpPath, `Cannot create ${tmpPath}: ${summarizeH5Error(cause)}`, { cause });
    }
    try {
      return new MMEarthWriter(file, tmpPath, paths, options);
    } catch (e) {
      file.close();
      throw e;
    }
  }

  /** Number of samples written so far. */
  get count(): number {
    return this.written;
  }

  /** Append one sample; returns its index. */
  write(sample: MMEarthWriterSample): number {
    if (this.closed) throw new DatasetFormatError('MMEarthWriter: write() after close().');
    const index = this.written;
    const N = this.options.numSamples;
    const S = this.options.tileSize;
    if (index >= N) throw new DatasetFormatError(`MMEarthWriter: the file was created for ${N} samples; sample ${index} does not fit.`);
    const id = sample.tileId;
    if (!id || new TextEncoder().encode(id).length > 100) {
      throw new DatasetFormatError(`MMEarthWriter: sample ${index}: tile id "${id}" must be 1..100 bytes long.`);
    }
    if (this.tileInfo[id]) throw new DatasetFormatError(`MMEarthWriter: sample ${index}: tile id "${id}" was already written.`);
    const s2Type = sample.s2Type ?? 'l1c';
    if (s2Type !== 'l1c' && s2Type !== 'l2a') throw new DatasetFormatError(`MMEarthWriter: sample ${index}: s2Type must be l1c or l2a.`);
    for (const name of Object.keys(sample.data)) {
      if (!this.datasets.has(name) || name === 'metadata') {
        throw new DatasetFormatError(
          `MMEarthWriter: sample ${index} ("${id}") has data for "${name}", which is not among the file's modalities (${this.options.modalities.join(', ')}).`,
        );
      }
    }
    const info: Record<string, unknown> = { ...(sample.tileInfo ?? {}) };
    const bands: Record<string, string[] | null> = {};
    const stored: [ModalityDefinition, NumericArray][] = [];
    for (const def of this.defs) {
      const where = `sample ${index} ("${id}"), modality "${def.name}"`;
      const given = sample.data[def.name];
      let values = given === undefined ? derive(def, info) : toChw(given, def, S, where);
      if (values === undefined) {
        if (this.missing === 'error') {
          throw new DatasetFormatError(
            `MMEarthWriter: ${where} is missing. Give it in data, or create the writer with missing: 'fill' to store no-data.`,
          );
        }
        values = fillNoData(def, S);
      }
      const expected = def.storedBands.length * (def.level === 'pixel' ? S * S : 1);
      if (values.length !== expected) {
        throw new DatasetFormatError(
          `MMEarthWriter: ${where} has ${values.length} values; expected ${def.storedBands.length} channels x ` +
            `${def.level === 'pixel' ? `${S} x ${S}` : '1'} = ${expected} (${def.storedBands.slice(0, 13).join(', ')}${def.storedBands.length > 13 ? ', …' : ''}).`,
        );
      }
      const typed = castTo(values, def, where);
      if (def.name === 'sentinel2' && !this.warnedReflectance) this.checkReflectanceScale(typed, id);
      stored.push([def, typed]);
      this.stats.add(def, s2Type, typed);
      bands[def.name] = bandsPresent(def, typed, S);
      if (def.name === 'sentinel1') {
        const per = S * S;
        const present = (from: number) =>
          ['VV', 'VH', 'HH', 'HV'].filter((_, k) => hasFinite(typed, (from + k) * per, per));
        const asc = present(0);
        const desc = present(4);
        delete bands.sentinel1;
        bands.sentinel1_asc = asc.length ? asc : null;
        bands.sentinel1_desc = desc.length ? desc : null;
      }
    }
    const slot = index - this.blockStart;
    for (const [def, typed] of stored) {
      (this.blocks.get(def.name) as NumericArray).set(typed, slot * typed.length);
    }
    this.blockIds.push(id);
    this.blockTypes.push(s2Type);
    // MMEarth's field order first, then the caller's own fields.
    const entry: Record<string, unknown> = {
      S2_DATE: info.S2_DATE,
      S2_type: s2Type,
      CRS: info.CRS,
      lat: info.lat,
      lon: info.lon,
      biome: info.biome,
      eco_region: info.eco_region,
      NO_DATA: info.NO_DATA ?? false,
    };
    Object.assign(entry, info);
    entry.S2_type = s2Type;
    entry.BANDS = { ...bands, ...((info.BANDS as Record<string, string[] | null> | undefined) ?? {}) };
    this.tileInfo[id] = entry as TileInfo;
    this.written++;
    if (this.blockIds.length === this.blockSize) this.flush();
    return index;
  }

  /** Write the buffered block of samples to the HDF5 file. */
  private flush(): void {
    const k = this.blockIds.length;
    if (k === 0) return;
    const start = this.blockStart;
    for (const def of this.defs) {
      const ds = this.datasets.get(def.name) as H5Dataset;
      const block = this.blocks.get(def.name) as NumericArray;
      const per = block.length / this.blockSize;
      const rank = def.level === 'pixel' ? 4 : 2;
      ds.write_slice([[start, start + k], ...Array.from({ length: rank - 1 }, () => [] as [])], block.subarray(0, k * per));
    }
    (this.datasets.get('metadata') as H5Dataset).write_slice(
      [[start, start + k]],
      new Map<string, string[]>([['tile_id', this.blockIds], ['S2_type', this.blockTypes]]),
    );
    this.blockStart = start + k;
    this.blockIds = [];
    this.blockTypes = [];
  }

  /**
   * Finish: close the HDF5 file, move it into place, and write the band statistics, splits and
   * tile info. Every sample announced in `numSamples` must have been written.
   * @param splits - explicit index lists, or fractions (seeded shuffle); default: every sample in `train`
   */
  async close(splits: SplitSpec = { train: Array.from({ length: this.options.numSamples }, (_, i) => i) }): Promise<MMEarthWriteResult> {
    if (this.closed) throw new DatasetFormatError('MMEarthWriter: close() called twice.');
    this.closed = true;
    try {
      this.flush();
    } finally {
      this.file.close();
    }
    const N = this.options.numSamples;
    if (this.written !== N) {
      throw new DatasetFormatError(
        `MMEarthWriter: ${this.written} of ${N} samples were written; the partial file ${this.tmpPath} was left for inspection.`,
      );
    }
    const splitLists = resolveSplits(splits, N);
    renameSync(this.tmpPath, this.paths.h5);
    const bandStats = this.stats.result();
    writeFileSync(this.paths.bandStats, stringifyJsonNonFinite(bandStats));
    writeFileSync(this.paths.splits, stringifyJsonNonFinite(splitLists));
    writeFileSync(this.paths.tileInfo, stringifyJsonNonFinite(this.tileInfo));
    return { paths: resolveMMEarthPaths(this.paths.h5), bandStats, splits: splitLists, numSamples: N };
  }

  private checkReflectanceScale(values: NumericArray, id: string): void {
    let max = 0;
    for (let i = 0; i < values.length; i++) if ((values[i] as number) > max) max = values[i] as number;
    if (max > 0 && max <= 2) {
      this.warnedReflectance = true;
      console.warn(
        `[terramae] MMEarthWriter: Sentinel-2 of "${id}" peaks at ${max}; MMEarth stores digital numbers (reflectance x 10000) as uint16. Scale reflectances by 10000 before writing.`,
      );
    }
  }
}

function hasFinite(values: NumericArray, start: number, count: number): boolean {
  for (let i = start; i < start + count; i++) if (Number.isFinite(values[i] as number)) return true;
  return false;
}

function bandsPresent(def: ModalityDefinition, values: NumericArray, S: number): string[] | null {
  if (def.kind === 'categorical') return def.encoding === 'one-hot' ? [def.name] : [...def.storedBands];
  const per = def.level === 'pixel' ? S * S : 1;
  const present = def.storedBands.filter((_, c) => hasFinite(values, c * per, per));
  return present.length ? present : null;
}

function toChw(given: WriterArray, def: ModalityDefinition, S: number, where: string): ArrayLike<number> {
  if (!('layout' in given) || given.layout === 'chw') return 'layout' in given ? given.data : given;
  if (def.level !== 'pixel') return given.data;
  const C = def.storedBands.length;
  const hw = S * S;
  const src = given.data;
  if (src.length !== C * hw) {
    throw new DatasetFormatError(`MMEarthWriter: ${where} (HWC) has ${src.length} values; expected ${S} x ${S} x ${C}.`);
  }
  const out = new Float64Array(C * hw);
  for (let p = 0; p < hw; p++) for (let c = 0; c < C; c++) out[c * hw + p] = src[p * C + c] as number;
  return out;
}

/** lat/lon/month/biome/eco_region from tile-info fields, as MMEarth computes them. */
function derive(def: ModalityDefinition, info: Record<string, unknown>): ArrayLike<number> | undefined {
  const rad = (deg: number) => (deg * Math.PI) / 180;
  switch (def.name) {
    case 'lat':
    case 'lon': {
      const v = info[def.name];
      return typeof v === 'number' ? [Math.sin(rad(v)), Math.cos(rad(v))] : undefined;
    }
    case 'month': {
      const date = info.S2_DATE;
      const m = typeof date === 'string' ? Number(date.slice(5, 7)) : Number.NaN;
      return m >= 1 && m <= 12 ? [Math.sin((2 * Math.PI * m) / 12), Math.cos((2 * Math.PI * m) / 12)] : undefined;
    }
    case 'biome':
    case 'eco_region': {
      const k = info[def.name];
      if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= def.storedBands.length) return undefined;
      const row = new Uint8Array(def.storedBands.length);
      row[k] = 1;
      return row;
    }
    default:
      return undefined;
  }
}

function fillNoData(def: ModalityDefinition, S: number): ArrayLike<number> {
  const n = def.storedBands.length * (def.level === 'pixel' ? S * S : 1);
  const out = new Float64Array(n);
  if (def.encoding === 'one-hot') return out;
  return out.fill(def.noData ?? Number.NaN);
}

const RANGES: Record<string, [number, number]> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
  int32: [-2147483648, 2147483647], uint32: [0, 4294967295],
};

/** Cast to the storage dtype; integers are rounded, out-of-range and non-finite integers are errors. */
function castTo(values: ArrayLike<number>, def: ModalityDefinition, where: string): NumericArray {
  const Ctor = typedArrayFor(def.dtype);
  if (values instanceof Ctor) return values; // already the storage type: nothing to round or check
  const out = new Ctor(values.length);
  const range = RANGES[def.dtype];
  if (!range) {
    for (let i = 0; i < values.length; i++) out[i] = values[i] as number;
    return out;
  }
  const [lo, hi] = range;
  for (let i = 0; i < values.length; i++) {
    let v = values[i] as number;
    if (!Number.isFinite(v)) {
      if (def.noData !== undefined && Number.isFinite(def.noData) && def.noData >= lo && def.noData <= hi) v = def.noData;
      else {
        throw new DatasetFormatError(
          `MMEarthWriter: ${where} holds ${v} at value ${i}, which ${def.dtype} cannot store (and its no-data value ${def.noData} is not representable).`,
        );
      }
    }
    v = Math.round(v);
    if (v < lo || v > hi) {
      throw new DatasetFormatError(
        `MMEarthWriter: ${where} holds ${values[i]} at value ${i}, outside the ${def.dtype} range [${lo}, ${hi}] of its storage type.`,
      );
    }
    out[i] = v;
  }
  return out;
}

function resolveSplits(spec: SplitSpec, n: number): MMEarthSplits {
  if ('fractions' in spec && typeof spec.fractions === 'object' && !Array.isArray(spec.fractions)) {
    const entries = Object.entries(spec.fractions as Record<string, number>);
    const total = entries.reduce((s, [, f]) => s + f, 0);
    if (entries.some(([, f]) => !(f >= 0)) || Math.abs(total - 1) > 1e-6) {
      throw new DatasetFormatError(`MMEarthWriter: split fractions must be ≥ 0 and sum to 1, got ${JSON.stringify(spec.fractions)}.`);
    }
    const order = new Rng((spec as { seed?: number }).seed ?? 0).permutation(n);
    const out: Record<string, number[]> = {};
    let start = 0;
    entries.forEach(([name, f], k) => {
      const end = k === entries.length - 1 ? n : Math.min(n, start + Math.round(f * n));
      out[name] = order.slice(start, end).sort((a, b) => a - b);
      start = end;
    });
    return out;
  }
  const lists = spec as MMEarthSplits;
  for (const [name, list] of Object.entries(lists)) {
    for (const i of list) {
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        throw new DatasetFormatError(`MMEarthWriter: split "${name}" holds index ${i}, outside [0, ${n}).`);
      }
    }
  }
  return lists;
}

import { DatasetFileError, DatasetFormatError } from '../errors';
import { hasModality, getModality } from '../modalities/modality-registry';
import { openH5ForRead, summarizeH5Error, type H5Dataset, type H5File } from '../util/h5wasm';
import { dtypeOfH5Metadata, toNumericArray, type NumericArray } from '../util/typed-arrays';
import type { MMEarthStore, StoredSampleMeta } from './store';

/**
 * An MMEarth-layout HDF5 file read with h5wasm, one sample (= one chunk) at a time. Nothing is
 * loaded up front, so the 600 GB release files open instantly.
 *
 * Datasets whose name is a registered modality are checked against the registry (dtype, channel
 * count, rank); other datasets are left alone.
 */
export class H5MMEarthStore implements MMEarthStore {
  readonly length: number;
  readonly tileSize: number;
  private readonly datasets = new Map<string, H5Dataset>();
  private readonly shapes = new Map<string, readonly number[]>();
  private readonly dtypes = new Map<string, string>();
  private readonly metaDataset: H5Dataset;

  private constructor(
    readonly source: string,
    private readonly file: H5File,
  ) {
    const keys = file.keys();
    if (!keys.includes('metadata')) {
      throw new DatasetFormatError(
        `${source} has no "metadata" dataset (compound tile_id/S2_type). Is it an MMEarth-layout file? Datasets found: ${keys.join(', ')}.`,
      );
    }
    this.metaDataset = file.get('metadata') as H5Dataset;
    const n = this.metaDataset.shape?.[0] ?? 0;
    let tileSize = 0;
    for (const key of keys) {
      if (key === 'metadata') continue;
      const entity = file.get(key);
      if (!entity || (entity as { type?: string }).type !== 'Dataset') continue;
      const ds = entity as H5Dataset;
      const shape = ds.shape ?? [];
      const md = ds.metadata;
      const dtype = dtypeOfH5Metadata(md) ?? `hdf5-class-${md.type}-size-${md.size}`;
      if (shape[0] !== n) {
        if (!hasModality(key)) continue; // an unrelated dataset: not a per-sample modality
        throw new DatasetFormatError(`${source}: dataset "${key}" has ${shape[0]} samples but "metadata" has ${n}.`);
      }
      if (hasModality(key)) {
        const def = getModality(key);
        const rank = def.level === 'pixel' ? 4 : 2;
        if (shape.length !== rank) {
          throw new DatasetFormatError(
            `${source}: modality "${key}" should be stored as ${def.level === 'pixel' ? '[N, C, S, S]' : '[N, C]'}, found shape [${shape.join(', ')}].`,
          );
        }
        if (shape[1] !== def.storedBands.length) {
          throw new DatasetFormatError(
            `${source}: modality "${key}" has ${shape[1]} stored channels, the registry expects ${def.storedBands.length} (${def.storedBands.slice(0, 13).join(', ')}${def.storedBands.length > 13 ? ', …' : ''}).`,
          );
        }
        if (dtype !== def.dtype) {
          throw new DatasetFormatError(`${source}: modality "${key}" is stored as ${dtype}, the registry expects ${def.dtype}.`);
        }
        if (def.level === 'pixel') {
          if (shape[2] !== shape[3]) throw new DatasetFormatError(`${source}: modality "${key}" tiles are not square: [${shape.join(', ')}].`);
          if (tileSize === 0) tileSize = shape[2] as number;
          else if (shape[2] !== tileSize) {
            throw new DatasetFormatError(`${source}: modality "${key}" has tile size ${shape[2]}, other pixel modalities ${tileSize}.`);
          }
        }
      }
      this.datasets.set(key, ds);
      this.shapes.set(key, shape.slice(1));
      this.dtypes.set(key, dtype);
    }
    this.length = n;
    this.tileSize = tileSize;
  }

  /** Open an MMEarth-layout HDF5 file. */
  static async open(path: string): Promise<H5MMEarthStore> {
    const file = await openH5ForRead(path, 'MMEarth HDF5 file');
    try {
      return new H5MMEarthStore(path, file);
    } catch (e) {
      file.close();
      throw e;
    }
  }

  modalities(): string[] {
    return [...this.datasets.keys()];
  }

  shape(modality: string): readonly number[] {
    return this.require(modality) && (this.shapes.get(modality) as readonly number[]);
  }

  dtype(modality: string): string {
    return this.require(modality) && (this.dtypes.get(modality) as string);
  }

  read(modality: string, index: number): NumericArray {
    const ds = this.require(modality);
    this.checkIndex(index);
    const rank = (this.shapes.get(modality) as readonly number[]).length + 1;
    const ranges: [number, number][] = [[index, index + 1]];
    const rest = Array.from({ length: rank - 1 }, () => [] as unknown as [number, number]);
    try {
      return toNumericArray(ds.slice([...ranges, ...rest]));
    } catch (cause) {
      throw new DatasetFileError(
        this.source,
        `${this.source}: cannot read "${modality}" of sample ${index}: ${summarizeH5Error(cause)} (corrupt or truncated chunk?)`,
        { cause },
      );
    }
  }

  meta(index: number): StoredSampleMeta {
    this.checkIndex(index);
    let row: unknown;
    try {
      row = (this.metaDataset.slice([[index, index + 1]]) as unknown[])[0];
    } catch (cause) {
      throw new DatasetFileError(this.source, `${this.source}: cannot read metadata of sample ${index}: ${summarizeH5Error(cause)}`, {
        cause,
      });
    }
    const [tileId, s2Type] = (Array.isArray(row) ? row : []) as unknown[];
    return { tileId: decode(tileId), s2Type: decode(s2Type) };
  }

  close(): void {
    this.file.close();
  }

  private require(modality: string): H5Dataset {
    const ds = this.datasets.get(modality);
    if (!ds) {
      throw new DatasetFormatError(
        `${this.source} has no dataset "${modality}". Stored modalities: ${this.modalities().join(', ')}.`,
      );
    }
    return ds;
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(`${this.source}: sample index ${index} is out of range [0, ${this.length}).`);
    }
  }
}

function decode(v: unknown): string {
  if (typeof v === 'string') return v.replace(/\0+$/, '').trim();
  if (v instanceof Uint8Array) return new TextDecoder().decode(v).replace(/\0+$/, '').trim();
  return v === undefined || v === null ? '' : String(v);
}

import type { NumericArray } from '../util/typed-arrays';

/** Identity of one stored sample (the HDF5 `metadata` compound). */
export interface StoredSampleMeta {
  /** Tile id, the key into the tile-info side file. */
  readonly tileId: string;
  /** Sentinel-2 product type as stored (`l1c` / `l2a`). */
  readonly s2Type: string;
}

/**
 * Random access to the raw arrays of an MMEarth-layout dataset, one sample at a time: the HDF5
 * file ({@link H5MMEarthStore}) or arrays in memory ({@link MemoryMMEarthStore}, used by the
 * synthetic generator). Pixel modalities are `[C, S, S]` per sample, image modalities `[C]`.
 */
export interface MMEarthStore {
  /** Where the data come from (file path, or a `memory:` label), for messages. */
  readonly source: string;
  /** Number of samples. */
  readonly length: number;
  /** Tile size S of pixel modalities. */
  readonly tileSize: number;
  /** Names of the stored modalities. */
  modalities(): string[];
  /** Per-sample stored shape (`[C, S, S]` or `[C]`) of a modality. */
  shape(modality: string): readonly number[];
  /** Stored dtype of a modality. */
  dtype(modality: string): string;
  /** The raw stored values of one sample (all channels). */
  read(modality: string, index: number): NumericArray;
  /** Tile id and product type of one sample. */
  meta(index: number): StoredSampleMeta;
  /** Release file handles. */
  close(): void;
}

import { DatasetFormatError } from '../errors';
import type { Footprint } from '../geo/footprint';
import { getModality } from '../modalities/modality-registry';
import type { TileInfo } from '../mmearth/side-files';
import { canonicalBandName } from './band-map';
import { readGeoTiff, readGeoTiffInfo } from './read-geotiff';

/** Options of {@link geoTiffToStored}. */
export interface GeoTiffToStoredOptions {
  /** Registered modality the file holds (default `sentinel2`). */
  readonly modality?: string;
  /** Band names in file order. */
  readonly sourceBands: readonly string[];
  /** Tile size S; the raster is centre-cropped to S x S as MMEarth's `convert_to_h5` does. */
  readonly tileSize: number;
}

/** A GeoTIFF tile in the stored layout of an MMEarth modality, ready for `MMEarthWriter.write`. */
export interface StoredTile {
  /** `[C, S, S]` in the registry's stored band order; bands the file lacks hold the no-data value (0 when the storage type cannot hold it). */
  readonly data: Float64Array;
  /** Stored bands that were found in the file. */
  readonly present: readonly string[];
  /** Footprint of the cropped tile, when georeferenced. */
  readonly footprint?: Footprint;
  /** `CRS`, `lat`, `lon` of the cropped tile for the tile info, when georeferenced. */
  readonly tileInfo: Partial<TileInfo>;
}

/**
 * Read a GeoTIFF as one MMEarth-layout tile of a modality: bands mapped by name into the stored
 * order (e.g. EuroSAT's B8A-last order into MMEarth's 13-band order), centre-cropped to the tile
 * size, with the tile's CRS and centre lon/lat for its tile info.
 */
export async function geoTiffToStored(path: string, options: GeoTiffToStoredOptions): Promise<StoredTile> {
  const def = getModality(options.modality ?? 'sentinel2');
  if (def.level !== 'pixel') throw new DatasetFormatError(`geoTiffToStored: modality "${def.name}" is image-level; GeoTIFFs hold pixel modalities.`);
  const S = options.tileSize;
  const info = await readGeoTiffInfo(path);
  if (info.bands !== options.sourceBands.length) {
    throw new DatasetFormatError(`${path} has ${info.bands} bands, but sourceBands lists ${options.sourceBands.length} (${options.sourceBands.join(', ')}).`);
  }
  if (info.width < S || info.height < S) {
    throw new DatasetFormatError(`${path} is ${info.width} x ${info.height} px, smaller than the tile size ${S}.`);
  }
  const x0 = Math.floor((info.width - S) / 2);
  const y0 = Math.floor((info.height - S) / 2);
  const canon = options.sourceBands.map(canonicalBandName);
  const stored = def.storedBands.map((b) => canon.indexOf(canonicalBandName(b)));
  const wanted = [...new Set(stored.filter((i) => i >= 0))];
  const r = await readGeoTiff(path, { bands: wanted, window: [x0, y0, x0 + S, y0 + S] });
  if (r.bands !== wanted.length) throw new DatasetFormatError(`${path}: expected ${wanted.length} bands.`);
  // absent bands hold the no-data value where the storage type can represent it, else 0
  const isFloat = def.dtype === 'float32' || def.dtype === 'float16';
  const fill = def.noData !== undefined && (isFloat || Number.isFinite(def.noData)) ? def.noData : 0;
  const HW = S * S;
  const data = new Float64Array(def.storedBands.length * HW).fill(fill);
  stored.forEach((src, c) => {
    if (src < 0) return;
    const band = r.data[wanted.indexOf(src)] as ArrayLike<number>;
    for (let p = 0; p < HW; p++) data[c * HW + p] = band[p] as number;
  });
  const fp = r.footprint;
  return {
    data,
    present: def.storedBands.filter((_, c) => (stored[c] as number) >= 0),
    ...(fp ? { footprint: fp } : {}),
    tileInfo: fp?.center ? { CRS: fp.crs, lat: fp.center.lat, lon: fp.center.lon } : fp?.crs ? { CRS: fp.crs } : {},
  };
}

import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fromArrayBuffer, fromFile, type GeoTIFF, type GeoTIFFImage } from 'geotiff';
import type { ModalityDType } from '@terramae/tensors';
import { DatasetFileError, DatasetFormatError } from '../errors';
import { footprintOf, windowBox, type Footprint, type Georeference } from '../geo/footprint';
import type { NumericArray } from '../util/typed-arrays';

/** Header of a GeoTIFF: size, band count, sample type, georeferencing. */
export interface GeoTiffInfo {
  readonly path: string;
  readonly width: number;
  readonly height: number;
  /** Number of bands (samples per pixel). */
  readonly bands: number;
  /** Sample type of the bands (the first band's; mixed types are rejected). */
  readonly dtype: ModalityDType | 'float64';
  /** Georeferencing, when the file has an affine transform. */
  readonly georef?: Georeference;
  /** The whole raster's footprint, when georeferenced. */
  readonly footprint?: Footprint;
  /** GDAL no-data value, when set. */
  readonly noData?: number;
}

/** A GeoTIFF's pixels, band-sequential (`[C, H, W]`), with its header. */
export interface GeoTiffRaster extends GeoTiffInfo {
  /** One array per band, row-major `H*W`. */
  readonly data: readonly NumericArray[];
}

const WHOLE_FILE_LIMIT = 64 * 1024 * 1024;

async function openTiff(path: string): Promise<GeoTIFF> {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (cause) {
    throw new DatasetFileError(path, `GeoTIFF not found or unreadable: ${path} (${(cause as Error).message})`, { cause });
  }
  try {
    if (size < WHOLE_FILE_LIMIT) {
      const buf = await readFile(path); // asynchronous, so a loader's prefetch overlaps I/O with compute
      return await fromArrayBuffer(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer);
    }
    return await fromFile(path);
  } catch (cause) {
    throw new DatasetFileError(path, `Cannot read ${path} as a GeoTIFF: ${(cause as Error).message}`, { cause });
  }
}

function dtypeOf(image: GeoTIFFImage, path: string): ModalityDType | 'float64' {
  const n = image.getSamplesPerPixel();
  const fmt = image.getSampleFormat(0) ?? 1;
  const bits = image.getBitsPerSample(0);
  for (let i = 1; i < n; i++) {
    if ((image.getSampleFormat(i) ?? 1) !== fmt || image.getBitsPerSample(i) !== bits) {
      throw new DatasetFormatError(`${path}: bands have different sample types; terramae reads rasters with one sample type.`);
    }
  }
  const key = `${fmt}:${bits}`;
  const map: Record<string, ModalityDType | 'float64'> = {
    '1:8': 'uint8', '1:16': 'uint16', '1:32': 'uint32', '2:8': 'int8', '2:16': 'int16', '2:32': 'int32',
    '3:16': 'float16', '3:32': 'float32', '3:64': 'float64',
  };
  const dtype = map[key];
  if (!dtype) throw new DatasetFormatError(`${path}: unsupported sample type (format ${fmt}, ${bits} bits).`);
  return dtype;
}

function georefOf(image: GeoTIFFImage): Georeference | undefined {
  let origin: number[];
  let resolution: number[];
  try {
    origin = image.getOrigin();
    resolution = image.getResolution();
  } catch {
    return undefined;
  }
  const keys = image.getGeoKeys() ?? {};
  const code = (keys.ProjectedCSTypeGeoKey ?? keys.GeographicTypeGeoKey) as number | undefined;
  const crs = code && code !== 32767 ? `EPSG:${code}` : undefined;
  return {
    ...(crs ? { crs } : {}),
    origin: [origin[0] as number, origin[1] as number],
    resolution: [resolution[0] as number, resolution[1] as number],
  };
}

function infoOf(path: string, image: GeoTIFFImage): GeoTiffInfo {
  const width = image.getWidth();
  const height = image.getHeight();
  const georef = georefOf(image);
  const noData = image.getGDALNoData();
  return {
    path,
    width,
    height,
    bands: image.getSamplesPerPixel(),
    dtype: dtypeOf(image, path),
    ...(georef ? { georef, footprint: footprintOf(windowBox(georef, 0, 0, width, height), georef.crs) } : {}),
    ...(noData !== null && noData !== undefined ? { noData } : {}),
  };
}

/** Read only the header of a GeoTIFF (size, bands, dtype, georeferencing). */
export async function readGeoTiffInfo(path: string): Promise<GeoTiffInfo> {
  const tiff = await openTiff(path);
  try {
    return infoOf(path, await tiff.getImage());
  } catch (cause) {
    if (cause instanceof DatasetFormatError) throw cause;
    throw new DatasetFileError(path, `Cannot read the header of ${path}: ${(cause as Error).message}`, { cause });
  } finally {
    await tiff.close();
  }
}

/**
 * Read a GeoTIFF's pixels (first image), band-sequential.
 * @param options.bands - band indices to read (default all)
 * @param options.window - `[x0, y0, x1, y1]` pixel window (default the whole raster)
 */
export async function readGeoTiff(
  path: string,
  options: { bands?: readonly number[]; window?: readonly [number, number, number, number] } = {},
): Promise<GeoTiffRaster> {
  const tiff = await openTiff(path);
  try {
    const image = await tiff.getImage();
    const info = infoOf(path, image);
    if (info.dtype === 'float16') {
      throw new DatasetFormatError(`${path}: float16 GeoTIFFs are not supported; convert to float32.`);
    }
    const samples = options.bands ? [...options.bands] : Array.from({ length: info.bands }, (_, i) => i);
    for (const b of samples) {
      if (!Number.isInteger(b) || b < 0 || b >= info.bands) {
        throw new DatasetFormatError(`${path}: band index ${b} does not exist (the file has ${info.bands} bands).`);
      }
    }
    let rasters: unknown;
    try {
      rasters = await image.readRasters({
        samples,
        interleave: false,
        ...(options.window ? { window: [...options.window] } : {}),
      });
    } catch (cause) {
      throw new DatasetFileError(path, `Cannot decode the pixels of ${path}: ${(cause as Error).message}`, { cause });
    }
    const data = Array.from(rasters as ArrayLike<NumericArray>);
    let { width, height } = info;
    let georef = info.georef;
    let footprint = info.footprint;
    if (options.window) {
      const [x0, y0, x1, y1] = options.window;
      width = x1 - x0;
      height = y1 - y0;
      if (georef) {
        footprint = footprintOf(windowBox(georef, x0, y0, width, height), georef.crs);
        georef = { ...georef, origin: [georef.origin[0] + x0 * georef.resolution[0], georef.origin[1] + y0 * georef.resolution[1]] };
      }
    }
    return {
      ...info, width, height, bands: samples.length, data,
      ...(georef ? { georef } : {}), ...(footprint ? { footprint } : {}),
    };
  } catch (cause) {
    if (cause instanceof DatasetFormatError || cause instanceof DatasetFileError) throw cause;
    throw new DatasetFileError(path, `Cannot read ${path}: ${(cause as Error).message}`, { cause });
  } finally {
    await tiff.close();
  }
}

import { DatasetFormatError } from '../errors';
import type { Georeference } from '../geo/footprint';
import { resampleHwc, type ResampleMethod } from '../util/resample';

/**
 * A large multi-band raster on one pixel grid (e.g. a Sentinel-2 scene with every band resampled
 * to 10 m), band-sequential `[C, H, W]` float32.
 */
export interface Scene {
  /** Name for messages and tile ids (e.g. the file name). */
  readonly name: string;
  /** Band names, in the order of `data`. */
  readonly bands: readonly string[];
  readonly height: number;
  readonly width: number;
  /** `[C, H, W]` values. */
  readonly data: Float32Array;
  /** Pixel size in metres. */
  readonly resolution: number;
  /** Georeferencing, when known (tile boxes are then in the CRS). */
  readonly georef?: Georeference;
}

/** Bands at one resolution, band-sequential `[C, H, W]`. */
export interface SceneLayer {
  readonly bands: readonly string[];
  readonly data: ArrayLike<number>;
  readonly height: number;
  readonly width: number;
  /** Pixel size in metres. */
  readonly resolution: number;
}

/**
 * Put layers of different resolutions (e.g. Sentinel-2's 10, 20 and 60 m bands) on one grid of
 * `resolution` metres covering the same extent, resampling each band (default bilinear, pixel-area
 * aligned), and order the bands as `order` when given (names must all be present).
 */
export function sceneFromLayers(
  name: string,
  layers: readonly SceneLayer[],
  options: { resolution?: number; method?: ResampleMethod; order?: readonly string[]; georef?: Georeference } = {},
): Scene {
  if (layers.length === 0) throw new DatasetFormatError(`${name}: no layers.`);
  const resolution = options.resolution ?? Math.min(...layers.map((l) => l.resolution));
  const first = layers[0] as SceneLayer;
  const extentX = first.width * first.resolution;
  const extentY = first.height * first.resolution;
  const width = Math.round(extentX / resolution);
  const height = Math.round(extentY / resolution);
  const method = options.method ?? 'bilinear';
  const planes = new Map<string, Float32Array>();
  for (const layer of layers) {
    if (layer.data.length !== layer.bands.length * layer.height * layer.width) {
      throw new DatasetFormatError(
        `${name}: a layer with bands ${layer.bands.join(', ')} holds ${layer.data.length} values, expected ${layer.bands.length} x ${layer.height} x ${layer.width}.`,
      );
    }
    const ex = layer.width * layer.resolution;
    const ey = layer.height * layer.resolution;
    if (Math.abs(ex - extentX) > layer.resolution / 2 || Math.abs(ey - extentY) > layer.resolution / 2) {
      throw new DatasetFormatError(
        `${name}: layer ${layer.bands.join(', ')} covers ${ex} x ${ey} m, the first layer ${extentX} x ${extentY} m; layers must cover the same extent.`,
      );
    }
    const hw = layer.height * layer.width;
    layer.bands.forEach((band, c) => {
      if (planes.has(band)) throw new DatasetFormatError(`${name}: band "${band}" appears in two layers.`);
      const plane = Float32Array.from({ length: hw }, (_, p) => layer.data[c * hw + p] as number);
      planes.set(
        band,
        layer.height === height && layer.width === width ? plane : resampleHwc(plane, layer.height, layer.width, 1, height, width, method),
      );
    });
  }
  const bands = options.order ? [...options.order] : [...planes.keys()];
  const data = new Float32Array(bands.length * height * width);
  bands.forEach((band, c) => {
    const plane = planes.get(band);
    if (!plane) throw new DatasetFormatError(`${name}: band "${band}" is missing. Bands present: ${[...planes.keys()].join(', ')}.`);
    data.set(plane, c * height * width);
  });
  return { name, bands, height, width, data, resolution, ...(options.georef ? { georef: options.georef } : {}) };
}

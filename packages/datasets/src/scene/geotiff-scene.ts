import { basename } from 'node:path';
import { DatasetFormatError } from '../errors';
import { readGeoTiff } from '../geotiff/read-geotiff';
import type { ResampleMethod } from '../util/resample';
import { sceneFromLayers, type Scene, type SceneLayer } from './scene';

/** One GeoTIFF of a scene and the names of its bands, in file order. */
export interface GeoTiffSceneFile {
  readonly path: string;
  readonly bands: readonly string[];
}

/**
 * Read a scene from one or several georeferenced GeoTIFFs covering the same extent (e.g. a 10 m
 * file and a 20 m file of one Sentinel-2 acquisition), resampled to `resolution` metres (default:
 * the finest), bands ordered as `order` when given. Tile boxes are then in the files' CRS.
 */
export async function readGeoTiffScene(
  files: readonly GeoTiffSceneFile[],
  options: { resolution?: number; method?: ResampleMethod; order?: readonly string[]; name?: string } = {},
): Promise<Scene> {
  if (files.length === 0) throw new DatasetFormatError('readGeoTiffScene: no files.');
  const layers: SceneLayer[] = [];
  let crs: string | undefined;
  let origin: readonly [number, number] | undefined;
  for (const f of files) {
    const r = await readGeoTiff(f.path);
    if (!r.georef) {
      throw new DatasetFormatError(`${f.path} has no georeferencing; a scene tiler needs it to give tiles their footprint boxes.`);
    }
    if (r.bands !== f.bands.length) {
      throw new DatasetFormatError(`${f.path} has ${r.bands} bands, but ${f.bands.length} names were given (${f.bands.join(', ')}).`);
    }
    const [dx, dy] = r.georef.resolution;
    if (Math.abs(Math.abs(dx) - Math.abs(dy)) > 1e-6 * Math.abs(dx) || dy >= 0) {
      throw new DatasetFormatError(`${f.path}: pixels must be square and north-up (resolution ${dx}, ${dy}).`);
    }
    if (crs === undefined) {
      crs = r.georef.crs;
      origin = r.georef.origin;
    } else {
      if (r.georef.crs !== crs) throw new DatasetFormatError(`${f.path} is in ${r.georef.crs}, ${files[0]?.path} in ${crs}; reproject to one CRS.`);
      const [ox, oy] = origin as readonly [number, number];
      if (Math.abs(r.georef.origin[0] - ox) > Math.abs(dx) / 2 || Math.abs(r.georef.origin[1] - oy) > Math.abs(dx) / 2) {
        throw new DatasetFormatError(`${f.path} starts at (${r.georef.origin.join(', ')}), ${files[0]?.path} at (${ox}, ${oy}); the files must cover the same extent.`);
      }
    }
    const hw = r.width * r.height;
    const data = new Float32Array(r.bands * hw);
    r.data.forEach((band, c) => {
      for (let p = 0; p < hw; p++) data[c * hw + p] = band[p] as number;
    });
    layers.push({ bands: f.bands, data, height: r.height, width: r.width, resolution: Math.abs(dx) });
  }
  const resolution = options.resolution ?? Math.min(...layers.map((l) => l.resolution));
  return sceneFromLayers(options.name ?? basename(files[0]?.path ?? 'scene'), layers, {
    resolution,
    ...(options.method ? { method: options.method } : {}),
    ...(options.order ? { order: options.order } : {}),
    georef: { ...(crs ? { crs } : {}), origin: origin as readonly [number, number], resolution: [resolution, -resolution] },
  });
}

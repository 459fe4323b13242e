import { basename } from 'node:path';
import { DatasetFormatError } from '../errors';
import { openH5ForRead, type H5Dataset } from '../util/h5wasm';
import type { ResampleMethod } from '../util/resample';
import { MMEARTH_S2_INPUT_BANDS } from '../modalities/mmearth-modalities';
import { sceneFromLayers, type Scene, type SceneLayer } from './scene';

/** Bands of the DSen2 `.mat` datasets, per resolution. */
export const DSEN2_LAYERS = {
  im10: { bands: ['B2', 'B3', 'B4', 'B8'], resolution: 10 },
  im20: { bands: ['B5', 'B6', 'B7', 'B8A', 'B11', 'B12'], resolution: 20 },
  im60: { bands: ['B1', 'B9'], resolution: 60 },
} as const;

/**
 * Read a DSen2 Sentinel-2 scene (`.mat`, MATLAB v7.3 = HDF5; `im10`, `im20`, `im60`) with h5wasm,
 * resample the 20 m and 60 m bands to 10 m, and order the 12 bands as MMEarth's S2 input
 * (B1..B7, B8A, B8, B9, B11, B12).
 *
 * MATLAB stores arrays column-major, so a row-major HDF5 reader sees `[bands, cols, rows]`; the
 * two spatial axes are transposed back here (`transpose: false` keeps them as stored).
 * The files carry no georeferencing: tile boxes are in metres from the scene's lower-left corner.
 */
export async function readDSen2Scene(
  path: string,
  options: { method?: ResampleMethod; transpose?: boolean } = {},
): Promise<Scene> {
  const file = await openH5ForRead(path, 'DSen2 .mat (HDF5) scene');
  try {
    const layers: SceneLayer[] = [];
    for (const [key, spec] of Object.entries(DSEN2_LAYERS)) {
      const entity = file.get(key) as H5Dataset | null;
      if (!entity || (entity as { type?: string }).type !== 'Dataset') {
        throw new DatasetFormatError(`${path}: no dataset "${key}" (a DSen2 scene holds im10, im20 and im60).`);
      }
      const shape = entity.shape ?? [];
      if (shape.length !== 3 || shape[0] !== spec.bands.length) {
        throw new DatasetFormatError(
          `${path}: "${key}" has shape [${shape.join(', ')}], expected [${spec.bands.length}, W, H] (${spec.bands.join(', ')}).`,
        );
      }
      const raw = entity.value as ArrayLike<number>;
      const [C, A, B] = shape as [number, number, number];
      // stored [C][A=cols][B=rows] (column-major MATLAB [rows, cols, C]); row-major image is [C][rows][cols]
      const transpose = options.transpose ?? true;
      const height = transpose ? B : A;
      const width = transpose ? A : B;
      const data = new Float32Array(C * A * B);
      for (let c = 0; c < C; c++) {
        const base = c * A * B;
        if (!transpose) {
          for (let i = 0; i < A * B; i++) data[base + i] = raw[base + i] as number;
          continue;
        }
        for (let a = 0; a < A; a++) for (let b = 0; b < B; b++) data[base + b * A + a] = raw[base + a * B + b] as number;
      }
      layers.push({ bands: spec.bands, data, height, width, resolution: spec.resolution });
    }
    return sceneFromLayers(basename(path).replace(/\.mat$/, ''), layers, {
      resolution: 10,
      method: options.method ?? 'bilinear',
      order: MMEARTH_S2_INPUT_BANDS,
    });
  } finally {
    file.close();
  }
}

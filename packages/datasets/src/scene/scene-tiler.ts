import type { Box, ModalitySpec, Sample } from '@terramae/tensors';
import { DatasetFormatError } from '../errors';
import { windowBox } from '../geo/footprint';
import type { SampleSource } from '../loader/source';
import { MMEARTH_S2_INPUT_BANDS } from '../modalities/mmearth-modalities';
import { hasModality, getModality } from '../modalities/modality-registry';
import { BandStatsAccumulator } from '../mmearth/band-stats-accumulator';
import { bandIndices } from '../geotiff/band-map';
import { bandsToHwc, type ZScoreStats } from '../util/hwc';
import type { Scene } from './scene';

/** One tile of a scene: its pixel window and its exact footprint box. */
export interface SceneTile {
  /** Position in the tile list. */
  readonly index: number;
  /** Grid row and column of the tile. */
  readonly row: number;
  readonly col: number;
  /** Top-left pixel of the tile in the scene. */
  readonly x: number;
  readonly y: number;
  /** Tile side in pixels. */
  readonly size: number;
  /**
   * Footprint `[left, top, right, bottom]`, y up: in the scene's CRS when georeferenced,
   * otherwise in metres from the scene's lower-left corner.
   */
  readonly box: Box;
}

/**
 * Cut a scene into square tiles of `size` pixels every `stride` pixels (default `stride = size`,
 * adjacent tiles; smaller strides overlap). Tiles that would cross the scene's edge are dropped.
 */
export function tileScene(scene: Pick<Scene, 'height' | 'width' | 'resolution' | 'georef' | 'name'>, options: { size: number; stride?: number }): SceneTile[] {
  const { size } = options;
  const stride = options.stride ?? size;
  if (!(Number.isInteger(size) && size > 0) || !(Number.isInteger(stride) && stride > 0)) {
    throw new DatasetFormatError(`tileScene(${scene.name}): size and stride must be positive integers (got ${size}, ${stride}).`);
  }
  if (size > scene.height || size > scene.width) {
    throw new DatasetFormatError(`tileScene(${scene.name}): tile size ${size} exceeds the scene (${scene.height} x ${scene.width} px).`);
  }
  const tiles: SceneTile[] = [];
  const res = scene.resolution;
  let row = 0;
  for (let y = 0; y + size <= scene.height; y += stride, row++) {
    let col = 0;
    for (let x = 0; x + size <= scene.width; x += stride, col++) {
      const box: Box = scene.georef
        ? windowBox(scene.georef, x, y, size, size)
        : [x * res, (scene.height - y) * res, (x + size) * res, (scene.height - y - size) * res];
      tiles.push({ index: tiles.length, row, col, x, y, size, box });
    }
  }
  return tiles;
}

/** Options of {@link SceneTileDataset}. */
export interface SceneTileOptions {
  /** Tile side in pixels. */
  readonly size: number;
  /** Step between tiles (default `size`). */
  readonly stride?: number;
  /** Bands to produce, by name (default MMEarth's 12 S2 input bands, all of which the scene must have). */
  readonly bands?: readonly string[];
  /** Modality name (default `sentinel2`). */
  readonly modality?: string;
  /** Z-score: `scene` (default; per-band statistics of this scene), explicit statistics, or `none`. */
  readonly stats?: 'scene' | 'none' | ZScoreStats;
  /** Use these tiles instead of a regular grid. */
  readonly tiles?: readonly SceneTile[];
}

/**
 * The tiles of one scene as a {@link SampleSource}: HWC float32 of the chosen bands, z-scored,
 * each sample carrying its footprint `box` (exact, for neighbour pairs).
 */
export class SceneTileDataset implements SampleSource<Sample> {
  readonly views = 1;
  readonly specs: Readonly<Record<string, ModalitySpec>>;
  readonly tiles: readonly SceneTile[];
  /** The statistics in use, or undefined (raw values). */
  readonly stats: ZScoreStats | undefined;
  private readonly bandIndex: number[];
  private readonly modality: string;

  constructor(readonly scene: Scene, options: SceneTileOptions) {
    this.tiles = options.tiles ?? tileScene(scene, options);
    const bands = options.bands ?? MMEARTH_S2_INPUT_BANDS;
    this.bandIndex = bandIndices(scene.bands, bands, `scene ${scene.name}`);
    this.modality = options.modality ?? 'sentinel2';
    const def = hasModality(this.modality) ? getModality(this.modality) : undefined;
    this.specs = {
      [this.modality]: {
        name: this.modality, level: 'pixel', kind: 'continuous', bands: [...bands],
        ...(def?.dtype ? { dtype: def.dtype } : {}),
        description: def?.description ?? `${this.modality} tiles of a scene`,
      },
    };
    const stats = options.stats ?? 'scene';
    if (stats === 'none') this.stats = undefined;
    else if (stats === 'scene') this.stats = sceneStats(scene, this.bandIndex, bands);
    else {
      if (stats.mean.length !== bands.length || stats.std.length !== bands.length) {
        throw new DatasetFormatError(`scene ${scene.name}: stats must have one mean and std per band (${bands.length}).`);
      }
      this.stats = stats;
    }
  }

  get length(): number {
    return this.tiles.length;
  }

  describe(position: number): string {
    const t = this.tiles[position];
    return t ? `${this.scene.name} tile (row ${t.row}, col ${t.col})` : `${this.scene.name} position ${position}`;
  }

  async get(position: number): Promise<Sample> {
    const tile = this.tiles[position];
    if (!tile) throw new RangeError(`position ${position} is out of range [0, ${this.tiles.length}).`);
    const { size } = tile;
    const { width, height } = this.scene;
    const C = this.bandIndex.length;
    // gather the tile window band by band, then z-score into HWC
    const window = new Float32Array(C * size * size);
    this.bandIndex.forEach((b, k) => {
      for (let r = 0; r < size; r++) {
        const src = b * height * width + (tile.y + r) * width + tile.x;
        window.set(this.scene.data.subarray(src, src + size), k * size * size + r * size);
      }
    });
    const { data } = bandsToHwc(window, this.bandIndex.map((_, k) => k), size * size, this.stats);
    return {
      index: position,
      id: `${this.scene.name}_r${tile.row}_c${tile.col}`,
      modalities: { [this.modality]: { data, shape: [size, size, C] } },
      box: tile.box,
      meta: { scene: this.scene.name, row: tile.row, col: tile.col, x: tile.x, y: tile.y, crs: this.scene.georef?.crs },
    };
  }
}

function sceneStats(scene: Scene, bandIndex: readonly number[], bands: readonly string[]): ZScoreStats {
  const hw = scene.height * scene.width;
  const acc = new BandStatsAccumulator(bandIndex.length);
  const chw = new Float32Array(bandIndex.length * hw);
  bandIndex.forEach((b, k) => chw.set(scene.data.subarray(b * hw, (b + 1) * hw), k * hw));
  acc.addChannelFirst(chw);
  const r = acc.result();
  r.std.forEach((s, k) => {
    if (!(s > 0)) throw new DatasetFormatError(`scene ${scene.name}: band "${bands[k]}" is constant; it cannot be z-scored (pass stats).`);
  });
  return { mean: r.mean, std: r.std };
}

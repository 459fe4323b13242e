import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '@terramae/testing';
import { readDSen2Scene } from '../scene/dsen2';
import { SceneTileDataset, tileScene } from '../scene/scene-tiler';
import type { Scene } from '../scene/scene';
import { tilePairs } from './tile-pairs';
import { geoPairs } from './geo-pairs';
import { NeighborPairSource } from './pair-sources';
import { GeoTiffFolderDataset } from '../geotiff/geotiff-folder';
import { haversineMetres } from '../geo/distance';

const dsen2 = sharedPath('data', 'dsen2', 'S2A_MSIL1C_20170527_T33UUB.mat');
const eurosat = sharedPath('data', 'eurosat-ms-270');

describe.skipIf(!dsen2)('neighbour pairs from DSen2 scene tiles', () => {
  let scene: Scene;
  beforeAll(async () => {
    scene = await readDSen2Scene(dsen2!);
  });

  it('reads 12 bands at 10 m in MMEarth order on a 600 x 600 grid', () => {
    expect(scene.width).toBe(600);
    expect(scene.height).toBe(600);
    expect(scene.resolution).toBe(10);
    expect(scene.bands).toEqual(['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8A', 'B8', 'B9', 'B11', 'B12']);
    // B8 (10 m) and B8A (20 m, upsampled) are near-identical NIR bands: strongly correlated pixel by pixel
    const hw = 600 * 600;
    const b8 = scene.data.subarray(8 * hw, 9 * hw);
    const b8a = scene.data.subarray(7 * hw, 8 * hw);
    expect(correlation(b8, b8a)).toBeGreaterThan(0.9);
  });

  it('64 px tiles at stride 64: 81 tiles, 144 edge-adjacent pairs, each offset exactly 640 m', () => {
    const tiles = tileScene(scene, { size: 64 });
    expect(tiles).toHaveLength(81);
    const pairs = tilePairs(tiles);
    expect(pairs).toHaveLength(144);
    for (const p of pairs) {
      const [dx, dy] = p.offset;
      expect(Math.abs(dx) + Math.abs(dy)).toBe(640);
      expect(p.relation).toBe('edge');
      expect(p.iou).toBe(0);
      const [ba, bb] = p.boxes;
      expect(ba[2] - ba[0]).toBe(640);
      expect(bb[1] - bb[3]).toBe(640);
      expect(Math.min(ba[0], bb[0])).toBe(0);
      expect(Math.min(ba[3], bb[3])).toBe(0);
    }
    expect(tilePairs(tiles, { contact: 'corner' })).toHaveLength(144 + 2 * 8 * 8);
  });

  it('overlapping tiles (stride 32) pair with exact overlaps, and pairs load as two-view samples with their boxes', async () => {
    const tiles = tileScene(scene, { size: 64, stride: 32 });
    expect(tiles).toHaveLength(17 * 17);
    const overlapping = tilePairs(tiles, { contact: 'overlap' });
    // each tile overlaps its 8 neighbours at ±32 px: 2*16*17 straight + 2*16*16 diagonal pairs
    expect(overlapping).toHaveLength(2 * 16 * 17 + 2 * 16 * 16);
    const straight = overlapping.find((p) => p.offset[0] === 320 && p.offset[1] === 0)!;
    expect(straight.iou).toBeCloseTo(1 / 3, 12);
    const ds = new SceneTileDataset(scene, { size: 64, stride: 32, tiles });
    const src = new NeighborPairSource(ds, overlapping);
    const ex = await src.get(overlapping.indexOf(straight));
    expect(ex.views).toHaveLength(2);
    const [a, b] = ex.views;
    expect(a!.box).toEqual([0, 640, 640, 0]);
    expect(b!.box).toEqual([320, 640, 960, 0]);
    // the overlapping half has identical pixels: a's column 32 + j equals b's column j
    const da = a!.modalities.sentinel2!.data;
    const db = b!.modalities.sentinel2!.data;
    for (const [r, j, c] of [[0, 0, 0], [10, 5, 3], [63, 31, 11]] as const) {
      expect(db[(r * 64 + j) * 12 + c]).toBe(da[(r * 64 + 32 + j) * 12 + c]);
    }
  });
});

describe.skipIf(!eurosat)('neighbour pairs from georeferenced EuroSAT patches', () => {
  it('finds the patches closer than 2 km, one pair about 650 m apart, with boxes in a shared metric frame', async () => {
    const train = await GeoTiffFolderDataset.open(join(eurosat!, 'train'), { stats: 'none' });
    const test = await GeoTiffFolderDataset.open(join(eurosat!, 'test'), { stats: 'none' });
    const fps = [...(await train.footprints()), ...(await test.footprints())];
    const names = [...train.files, ...test.files].map((f) => f.path.split('/').pop());
    const pairs = geoPairs(fps, { maxDistance: 2000 });
    expect(pairs.length).toBeGreaterThanOrEqual(3);
    for (const p of pairs) {
      expect(p.distance).toBeLessThanOrEqual(2000);
      const ca = fps[p.a]!.center!;
      const cb = fps[p.b]!.center!;
      // same UTM zone: grid distance of the box centres in the shared frame; ≈ great-circle distance
      // (UTM scale ≤ 0.1 %, spherical haversine ≤ 0.5 %)
      const [ba, bb] = p.boxes;
      const d = Math.hypot((ba[0] + ba[2]) / 2 - (bb[0] + bb[2]) / 2, (ba[1] + ba[3]) / 2 - (bb[1] + bb[3]) / 2);
      expect(p.distance).toBeCloseTo(d, 6);
      expect(Math.abs(haversineMetres(ca.lon, ca.lat, cb.lon, cb.lat) - p.distance) / p.distance).toBeLessThan(5e-3);
      expect(ba[2] - ba[0]).toBeGreaterThan(630);
      expect(ba[2] - ba[0]).toBeLessThan(650);
    }
    const close = pairs.filter((p) => p.distance < 700);
    expect(close).toHaveLength(1);
    expect(close[0]!.distance).toBeGreaterThan(600);
    expect([names[close[0]!.a], names[close[0]!.b]].sort()).toEqual(['Forest_2306.tif', 'Forest_91.tif']);
    // overlap-only pairing finds none of these (EuroSAT patches do not overlap)
    expect(geoPairs(fps)).toHaveLength(0);
  });
});

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < a.length; i++) { ma += a[i]!; mb += b[i]!; }
  ma /= a.length;
  mb /= b.length;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readGeoTiffScene } from './geotiff-scene';
import { sceneFromLayers } from './scene';
import { SceneTileDataset, tileScene } from './scene-tiler';
import { tilePairs } from '../neighbors/tile-pairs';
import { writePlainTiff, writeTestGeoTiff } from '../__tests__/geotiff-helpers';

const tmp = mkdtempSync(join(tmpdir(), 'terramae-scene-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('scenes', () => {
  it('puts 10 m and 20 m GeoTIFFs on one 10 m grid; tiles carry exact CRS boxes', async () => {
    const ten = [0, 1].map((c) => Array.from({ length: 40 * 40 }, (_, p) => 1000 * (c + 1) + (p % 40)));
    const twenty = [Array.from({ length: 20 * 20 }, () => 7)];
    writeTestGeoTiff(join(tmp, 'b10.tif'), ten, 40, 40, { epsg: 32633, origin: [400000, 5000000], pixel: 10 });
    writeTestGeoTiff(join(tmp, 'b20.tif'), twenty, 20, 20, { epsg: 32633, origin: [400000, 5000000], pixel: 20 });
    const scene = await readGeoTiffScene(
      [{ path: join(tmp, 'b10.tif'), bands: ['B4', 'B8'] }, { path: join(tmp, 'b20.tif'), bands: ['B11'] }],
      { order: ['B4', 'B8', 'B11'] },
    );
    expect([scene.width, scene.height, scene.resolution]).toEqual([40, 40, 10]);
    expect(scene.georef!.crs).toBe('EPSG:32633');
    expect(scene.data[2 * 1600 + 123]).toBeCloseTo(7, 5);
    const tiles = tileScene(scene, { size: 20, stride: 10 });
    expect(tiles).toHaveLength(9);
    expect(tiles[4]!.box).toEqual([400100, 4999900, 400300, 4999700]);
    const ds = new SceneTileDataset(scene, { size: 20, stride: 10, bands: ['B8', 'B4'], stats: 'none' });
    const s = await ds.get(4);
    expect(s.modalities.sentinel2!.shape).toEqual([20, 20, 2]);
    expect(s.modalities.sentinel2!.data[0]).toBe(2000 + 10); // B8 first, pixel (10, 10)
    expect(s.box).toEqual(tiles[4]!.box);
    expect(tilePairs(tiles, { contact: 'overlap' }).length).toBe(2 * 2 * 3 + 2 * 2 * 2);
  });

  it('errors name the file: no georeference, different extents, missing band', async () => {
    writePlainTiff(join(tmp, 'plain.tif'), [Array(16).fill(1)], 4, 4);
    await expect(readGeoTiffScene([{ path: join(tmp, 'plain.tif'), bands: ['B4'] }])).rejects.toThrow(
      /plain\.tif has no georeferencing; a scene tiler needs it/,
    );
    writeTestGeoTiff(join(tmp, 'off.tif'), [Array(16).fill(1)], 4, 4, { epsg: 32633, origin: [400500, 5000000] });
    writeTestGeoTiff(join(tmp, 'on.tif'), [Array(16).fill(1)], 4, 4, { epsg: 32633, origin: [400000, 5000000] });
    await expect(
      readGeoTiffScene([{ path: join(tmp, 'on.tif'), bands: ['B4'] }, { path: join(tmp, 'off.tif'), bands: ['B8'] }]),
    ).rejects.toThrow(/off\.tif starts at \(400500, 5000000\).*must cover the same extent/);
    expect(() => sceneFromLayers('x', [{ bands: ['B4'], data: new Float32Array(4), height: 2, width: 2, resolution: 10 }], { order: ['B4', 'B8'] })).toThrow(
      /x: band "B8" is missing/,
    );
    expect(() => tileScene({ name: 'x', height: 10, width: 10, resolution: 10 }, { size: 11 })).toThrow(/tile size 11 exceeds the scene/);
  });
});

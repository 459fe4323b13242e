import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedPath } from '@terramae/testing';
import { geoTiffToStored } from './geotiff-to-mmearth';
import { EUROSAT_MS_BANDS } from './band-map';
import { MMEarthWriter } from '../mmearth/mmearth-writer';
import { MMEarthDataset } from '../mmearth/mmearth-dataset';
import { writeTestGeoTiff } from '../__tests__/geotiff-helpers';

const eurosat = sharedPath('data', 'eurosat-ms-270');
const fixture = sharedPath('fixtures', 'mmearth');
const tmp = mkdtempSync(join(tmpdir(), 'terramae-pack-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('packing GeoTIFFs into the MMEarth layout', () => {
  it('maps bands by name, fills absent bands with no-data, centre-crops, and places the tile', async () => {
    const path = join(tmp, 'rgbn.tif');
    const W = 10;
    const bands = [0, 1, 2, 3].map((c) => Array.from({ length: W * W }, (_, p) => 100 * (c + 1) + p));
    writeTestGeoTiff(path, bands, W, W, { epsg: 32633, origin: [465000, 5080000] });
    const t = await geoTiffToStored(path, { sourceBands: ['B02', 'B03', 'B04', 'B08'], tileSize: 4 });
    expect(t.present).toEqual(['B2', 'B3', 'B4', 'B8']);
    expect(t.data).toHaveLength(13 * 16);
    expect(t.data[0]).toBe(0); // B1 absent → S2 no-data (0)
    // B2 (stored 1), window starts at (3, 3): pixel 3 * 10 + 3 = 33
    expect(t.data[1 * 16]).toBe(100 + 33);
    expect(t.data[8 * 16 + 5]).toBe(400 + 44); // B8 (stored 8), tile pixel (1, 1)
    expect(t.footprint!.box).toEqual([465030, 5079970, 465070, 5079930]);
    expect(t.tileInfo.CRS).toBe('EPSG:32633');
    await expect(geoTiffToStored(path, { sourceBands: ['B2', 'B3', 'B4'], tileSize: 4 })).rejects.toThrow(/rgbn\.tif has 4 bands, but sourceBands lists 3/);
    await expect(geoTiffToStored(path, { sourceBands: ['B2', 'B3', 'B4', 'B8'], tileSize: 12 })).rejects.toThrow(/smaller than the tile size 12/);
  });

  it.skipIf(!eurosat || !fixture)('EuroSAT patches packed by us equal the h5py-written MMEarth fixture', async () => {
    const names = ['HerbaceousVegetation/HerbaceousVegetation_2694', 'PermanentCrop/PermanentCrop_1203'];
    const out = join(tmp, 'data_eurosat_2_64.h5');
    const w = await MMEarthWriter.create(out, { numSamples: 2, tileSize: 64, modalities: ['sentinel2', 'lat', 'lon'] });
    for (const n of names) {
      const t = await geoTiffToStored(join(eurosat!, 'train', `${n}.tif`), { sourceBands: EUROSAT_MS_BANDS, tileSize: 64 });
      w.write({ tileId: n.split('/')[1]!, data: { sentinel2: t.data }, tileInfo: t.tileInfo });
    }
    await w.close();
    const ours = await MMEarthDataset.open(out, { split: 'all', modalities: { sentinel2: 'all', lat: 'all', lon: 'all' }, normalize: false });
    const ref = await MMEarthDataset.open(fixture!, { split: [0, 1], modalities: { sentinel2: 'all', lat: 'all', lon: 'all' }, normalize: false });
    for (const i of [0, 1]) {
      const a = await ours.get(i);
      const b = await ref.get(i);
      expect(a.id).toBe(b.id);
      expect(Array.from(a.modalities.sentinel2!.data)).toEqual(Array.from(b.modalities.sentinel2!.data));
      expect(a.modalities.lat!.data[0]).toBeCloseTo(b.modalities.lat!.data[0]!, 6);
      expect(a.modalities.lon!.data[1]).toBeCloseTo(b.modalities.lon!.data[1]!, 6);
    }
    ours.close();
    ref.close();
  });
});

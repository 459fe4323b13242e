import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedPath } from '@terramae/testing';
import { GeoTiffFolderDataset } from './geotiff-folder';
import { bandIndices, canonicalBandName, EUROSAT_MS_BANDS } from './band-map';
import { readGeoTiff } from './read-geotiff';
import { MMEarthDataset } from '../mmearth/mmearth-dataset';
import { BadSampleError, DatasetFormatError } from '../errors';
import { writePlainTiff, writeTestGeoTiff } from '../__tests__/geotiff-helpers';
import { MMEARTH_S2_INPUT_BANDS } from '../modalities/mmearth-modalities';

const eurosat = sharedPath('data', 'eurosat-ms-270');
const fixtureDir = sharedPath('fixtures', 'mmearth');
const tmp = mkdtempSync(join(tmpdir(), 'terramae-gtiff-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('band map', () => {
  it('canonicalises names and maps EuroSAT (B8A last) to MMEarth order without B10', () => {
    expect(canonicalBandName('B08')).toBe('B8');
    expect(canonicalBandName('b8a')).toBe('B8A');
    expect(bandIndices(EUROSAT_MS_BANDS, MMEARTH_S2_INPUT_BANDS)).toEqual([0, 1, 2, 3, 4, 5, 6, 12, 7, 8, 10, 11]);
    expect(() => bandIndices(['B1', 'B2'], ['B3'], 'my.tif')).toThrow(/my.tif: band "B3" is not among the source bands \(B1, B2\)/);
  });
});

describe.skipIf(!eurosat)('GeoTiffFolderDataset on EuroSAT-MS', () => {
  it('lists classes and files, labels by folder, and reads the fixture patch identically to the MMEarth fixture', async () => {
    const ds = await GeoTiffFolderDataset.open(join(eurosat!, 'train'), { stats: 'none' });
    expect(ds.length).toBe(216);
    expect(ds.classes).toEqual(['AnnualCrop', 'Forest', 'HerbaceousVegetation', 'Highway', 'Industrial', 'Pasture', 'PermanentCrop', 'Residential', 'River', 'SeaLake']);
    const pos = ds.files.findIndex((f) => f.path.endsWith('HerbaceousVegetation_2694.tif'));
    expect(pos).toBeGreaterThanOrEqual(0);
    const s = await ds.get(pos);
    expect(s.meta?.label).toBe(2);
    expect(s.modalities.sentinel2!.shape).toEqual([64, 64, 12]);
    if (fixtureDir) {
      // the MMEarth fixture's sentinel2 is the same patch reordered to MMEarth's order
      const mm = await MMEarthDataset.open(fixtureDir, { split: 'all', modalities: { sentinel2: MMEARTH_S2_INPUT_BANDS }, normalize: false });
      const ref = await mm.get(0);
      expect(ref.id).toBe('HerbaceousVegetation_2694');
      expect(Array.from(s.modalities.sentinel2!.data)).toEqual(Array.from(ref.modalities.sentinel2!.data));
      // footprint centre (our UTM inverse) = the fixture's tile-info lat/lon
      const fp = await ds.footprint(pos);
      const info = mm.tileInfo(0).info!;
      expect(fp.crs).toBe(info.CRS);
      expect(fp.center!.lat).toBeCloseTo(info.lat!, 7);
      expect(fp.center!.lon).toBeCloseTo(info.lon!, 7);
      mm.close();
    }
  });

  it('computes per-band statistics so z-scored values have mean ≈ 0', async () => {
    const ds = await GeoTiffFolderDataset.open(join(eurosat!, 'test'));
    expect(ds.length).toBe(54);
    let sum = 0;
    let n = 0;
    for (let i = 0; i < ds.length; i += 1) {
      const d = (await ds.get(i)).modalities.sentinel2!.data;
      for (let p = 0; p < d.length; p += 12 * 7) { sum += d[p]!; n++; }
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.1);
    expect(ds.stats!.mean).toHaveLength(12);
    const raw = await readGeoTiff(ds.files[0]!.path);
    expect(raw.footprint!.lonLatBox![0]).toBeLessThan(raw.footprint!.lonLatBox![2]);
  });
});

describe('GeoTiffFolderDataset errors name the file', () => {
  const root = join(tmp, 'folder');
  const bands13 = Array.from({ length: 13 }, (_, c) => Array.from({ length: 16 }, (_, p) => 1000 + c * 10 + p));
  mkdirSync(join(root, 'A'), { recursive: true });
  mkdirSync(join(root, 'B'), { recursive: true });
  writeTestGeoTiff(join(root, 'A', 'a1.tif'), bands13, 4, 4, { epsg: 32633 });
  writeTestGeoTiff(join(root, 'A', 'a2.tif'), bands13.slice(0, 12), 4, 4, { epsg: 32633 });
  writeTestGeoTiff(join(root, 'B', 'b1.tif'), bands13, 4, 4, { dtype: 'float32', epsg: 32633 });
  writePlainTiff(join(root, 'B', 'b2.tif'), bands13, 4, 4);
  writeFileSync(join(root, 'B', 'b3.tif'), 'not a tiff');

  it('wrong band count, dtype, unreadable file, missing georeferencing', async () => {
    const ds = await GeoTiffFolderDataset.open(root, { stats: 'none' });
    expect(ds.files.map((f) => f.path.split('/').pop())).toEqual(['a1.tif', 'a2.tif', 'b1.tif', 'b2.tif', 'b3.tif']);
    expect((await ds.get(0)).modalities.sentinel2!.data[0]).toBe(1000);
    const e1 = await ds.get(1).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(BadSampleError);
    expect((e1 as Error).message).toMatch(/a2\.tif.*the file has 12 bands, but sourceBands lists 13/);
    await expect(ds.get(2)).rejects.toThrow(/b1\.tif.*stores float32, expected uint16 for "sentinel2"/);
    await expect(ds.get(4)).rejects.toThrow(/b3\.tif.*Cannot read .*b3\.tif as a GeoTIFF/);
    expect((await ds.get(3)).modalities.sentinel2!.shape).toEqual([4, 4, 12]); // readable without georeferencing…
    await expect(ds.footprint(3)).rejects.toThrow(DatasetFormatError); // …but it has no footprint
    await expect(ds.footprint(3)).rejects.toThrow(/b2\.tif has no georeferencing/);
    expect((await ds.footprint(0)).crs).toBe('EPSG:32633');
    await expect(GeoTiffFolderDataset.open(join(tmp, 'nope'))).rejects.toThrow(/GeoTIFF folder not found: .*nope/);
  });
});

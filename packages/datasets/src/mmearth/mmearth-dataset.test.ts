import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sharedPath } from '@terramae/testing';
import { MMEarthDataset } from './mmearth-dataset';
import { MemoryMMEarthStore } from './memory-store';
import { BadSampleError } from '../errors';
import { MMEARTH_S2_INPUT_BANDS } from '../modalities/mmearth-modalities';
import type { MMEarthSideFiles } from './side-files';
import { loadH5wasm, type H5Dataset } from '../util/h5wasm';

const dir = sharedPath('fixtures', 'mmearth');
const h5Name = 'data_eurosat_16_v001_64';

describe.skipIf(!dir)('MMEarthDataset on the MMEarth-layout fixture', () => {
  const h5Path = join(dir ?? '', `${h5Name}.h5`);
  const bandStats = () => JSON.parse(readFileSync(join(dir ?? '', `${h5Name}_band_stats.json`), 'utf8'));
  const tileInfo = () => JSON.parse(readFileSync(join(dir ?? '', `${h5Name}_tile_info.json`), 'utf8'));
  let all: MMEarthDataset;
  let raw: MMEarthDataset;
  beforeAll(async () => {
    all = await MMEarthDataset.open(dir ?? '', { split: 'all' });
    raw = await MMEarthDataset.open(h5Path, { split: 'all', normalize: false, modalities: { sentinel2: 'all' } });
  });
  afterAll(() => {
    all?.close();
    raw?.close();
  });

  it('opens the folder, reads the splits and the tile ids in file order', async () => {
    const train = await MMEarthDataset.open(dir ?? '');
    expect(train.length).toBe(12);
    expect(train.indices).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    train.close();
    const test = await MMEarthDataset.open(h5Path, { split: 'test' });
    expect(test.indices).toEqual([14, 15]);
    test.close();
    expect(all.length).toBe(16);
    const ids = Object.keys(tileInfo());
    for (let i = 0; i < 16; i++) expect(all.tileInfo(i).tileId).toBe(ids[i]);
    const s = await all.get(0);
    expect(s.id).toBe('HerbaceousVegetation_2694');
    expect(s.meta?.s2Type).toBe('l1c');
  });

  it('the raw S2 band means over the 16 samples equal the file band stats (sentinel2_l1c)', async () => {
    const stats = bandStats().sentinel2_l1c;
    const sums = new Float64Array(13);
    let pixels = 0;
    for (let i = 0; i < raw.length; i++) {
      const { data, shape } = (await raw.get(i)).modalities.sentinel2!;
      expect(shape).toEqual([64, 64, 13]);
      for (let p = 0; p < 64 * 64; p++) for (let c = 0; c < 13; c++) sums[c] += data[p * 13 + c]!;
      pixels += 64 * 64;
    }
    for (let c = 0; c < 13; c++) expect(sums[c]! / pixels).toBeCloseTo(stats.mean[c], 3);
  });

  it('z-scores sample 0 with the L1C statistics of its 12 input bands (B10 dropped, B8A before B8)', async () => {
    const stats = bandStats().sentinel2_l1c;
    const h5 = await loadH5wasm();
    const f = new h5.File(h5Path, 'r');
    const stored = f.get('sentinel2') as H5Dataset;
    const rawS2 = stored.slice([[0, 1], [], [], []]) as Uint16Array;
    f.close();
    const s = await all.get(0);
    const s2 = s.modalities.sentinel2!;
    expect(s2.shape).toEqual([64, 64, 12]);
    expect(all.specs.sentinel2!.bands).toEqual([...MMEARTH_S2_INPUT_BANDS]);
    const storedIndex = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12];
    for (const p of [0, 1, 777, 4095]) {
      for (let k = 0; k < 12; k++) {
        const c = storedIndex[k]!;
        const expected = (rawS2[c * 4096 + p]! - stats.mean[c]) / stats.std[c];
        expect(s2.data[p * 12 + k]).toBeCloseTo(expected, 5);
      }
    }
    // B8A (stored 7) sits before B8 (stored 8): the band 'B8' output channel is 8
    expect(s2.data[8]).toBeCloseTo((rawS2[8 * 4096]! - stats.mean[8]) / stats.std[8], 5);
  });

  it('absent S1 bands (-inf) become 0 targets, or NaN on request, and the tile info says which are absent', async () => {
    const info = tileInfo();
    const s0 = await all.get(0);
    expect(info[s0.id!].BANDS.sentinel1_desc).toBeNull();
    const s1 = s0.modalities.sentinel1!;
    expect(s1.shape).toEqual([64, 64, 8]);
    let zeros = 0;
    let nonZeroAsc = 0;
    for (let p = 0; p < 4096; p++) {
      for (let c = 2; c < 8; c++) if (s1.data[p * 8 + c] === 0) zeros++;
      if (s1.data[p * 8] !== 0) nonZeroAsc++;
    }
    expect(zeros).toBe(6 * 4096); // asc HH/HV and the whole descending pass
    expect(nonZeroAsc).toBeGreaterThan(4000);
    const nanDs = await MMEarthDataset.open(h5Path, { split: 'all', modalities: ['sentinel2', 'sentinel1'], pixelTargetNonFinite: 'nan' });
    const n1 = (await nanDs.get(0)).modalities.sentinel1!;
    expect(Number.isNaN(n1.data[2])).toBe(true);
    expect(Number.isNaN(n1.data[4])).toBe(true);
    expect(Number.isFinite(n1.data[0])).toBe(true);
    // sample 1 has a descending pass
    const d1 = (await nanDs.get(1)).modalities.sentinel1!;
    expect(Number.isFinite(d1.data[4])).toBe(true);
    expect(Number.isNaN(d1.data[6])).toBe(true);
    nanDs.close();
  });

  it('remaps Dynamic World and WorldCover labels and argmaxes biome / ecoregion', async () => {
    const info = tileInfo();
    const h5 = await loadH5wasm();
    const f = new h5.File(h5Path, 'r');
    const dwRaw = (f.get('dynamic_world') as H5Dataset).slice([[3, 4], [], [], []]) as Uint8Array;
    const wcRaw = (f.get('esa_worldcover') as H5Dataset).slice([[3, 4], [], [], []]) as Uint8Array;
    f.close();
    const s = await all.get(3);
    const dw = s.modalities.dynamic_world!;
    const wc = s.modalities.esa_worldcover!;
    expect(dw.shape).toEqual([64, 64, 1]);
    expect(dw.data).toBeInstanceOf(Int32Array);
    const wcCodes = [10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100];
    let sawIgnoreWc = false;
    for (let p = 0; p < 4096; p++) {
      expect(dw.data[p]).toBe(dwRaw[p] === 0 ? -1 : dwRaw[p]! - 1);
      const idx = wcCodes.indexOf(wcRaw[p]!);
      expect(wc.data[p]).toBe(idx);
      if (idx < 0) sawIgnoreWc = true;
    }
    expect(sawIgnoreWc).toBe(true); // the 255 no-data corner
    expect(s.modalities.biome!.data[0]).toBe(info[s.id!].biome);
    expect(s.modalities.eco_region!.data[0]).toBe(info[s.id!].eco_region);
    expect(all.specs.dynamic_world).toMatchObject({ kind: 'categorical', numClasses: 9, ignoreIndex: -1 });
    expect(all.specs.biome).toMatchObject({ level: 'image', numClasses: 14 });
  });

  it('image-level modalities come out [C] and lat/lon are the sin/cos of the tile centre', async () => {
    const info = tileInfo();
    const rawImg = await MMEarthDataset.open(h5Path, { split: 'all', modalities: ['sentinel2', 'lat', 'lon', 'era5', 'month'], normalize: false });
    const s = await rawImg.get(2);
    const lat = (info[s.id!].lat * Math.PI) / 180;
    const lon = (info[s.id!].lon * Math.PI) / 180;
    expect(s.modalities.lat!.shape).toEqual([2]);
    expect(s.modalities.lat!.data[0]).toBeCloseTo(Math.sin(lat), 5);
    expect(s.modalities.lat!.data[1]).toBeCloseTo(Math.cos(lat), 5);
    expect(s.modalities.lon!.data[0]).toBeCloseTo(Math.sin(lon), 5);
    expect(s.modalities.era5!.shape).toEqual([12]);
    const month = Number((info[s.id!].S2_DATE as string).slice(5, 7));
    expect(s.modalities.month!.data[0]).toBeCloseTo(Math.sin((2 * Math.PI * month) / 12), 5);
    rawImg.close();
  });

  it('rejects unknown bands and splits with messages that list the valid ones', async () => {
    await expect(MMEarthDataset.open(h5Path, { modalities: { sentinel2: ['B1', 'B13'] } })).rejects.toThrow(
      /modality "sentinel2" has no band "B13".*B1, B2, B3, B4, B5, B6, B7, B8A, B8, B9, B10, B11, B12/,
    );
    await expect(MMEarthDataset.open(h5Path, { split: 'holdout' })).rejects.toThrow(/no split "holdout".*train, val, test/);
    await expect(MMEarthDataset.open(h5Path, { modalities: ['sentinel2', 'elevation'] })).rejects.toThrow(/Unknown modality "elevation"/);
  });
});

describe('MMEarth normalisation order and non-finite handling', () => {
  const side = (s2Mean: number): MMEarthSideFiles => ({
    bandStats: {
      sentinel2_l1c: { mean: Array(13).fill(s2Mean), std: Array(13).fill(100), min: [], max: [] },
      canopy_height_eth: { mean: [10, 1], std: [5, 1], min: [], max: [] },
      era5: { mean: Array(12).fill(0), std: Array(12).fill(1), min: [], max: [] },
    },
    splits: { train: [0] },
    tileInfo: { get: () => ({ S2_type: 'l1c' }), has: () => true, size: 1 },
  });
  const s2 = new Uint16Array(13 * 4);
  s2[0] = 0; // a raw zero in B1
  s2[1] = 300;
  const era5 = new Float32Array(12).fill(1);
  era5[3] = Number.NaN;
  era5[4] = Number.POSITIVE_INFINITY;
  const store = () =>
    new MemoryMMEarthStore('memory:test', {
      sentinel2: { data: s2, shape: [13, 2, 2] },
      era5: { data: era5, shape: [12] },
    }, [{ tileId: 't0', s2Type: 'l1c' }]);

  it('normalize-first (default, released weights) keeps raw S2 zeros as -mean/std', async () => {
    const ds = new MMEarthDataset(store(), side(200), { modalities: ['sentinel2', 'era5'] });
    const s = await ds.get(0);
    expect(s.modalities.sentinel2!.data[0]).toBeCloseTo(-2, 6);
    expect(s.modalities.sentinel2!.data[12]).toBeCloseTo(1, 6); // pixel 1, band B1 (12 input bands)
  });

  it('nodata-first (corrected order) treats raw S2 zeros as missing, and the input is sanitised to 0', async () => {
    const ds = new MMEarthDataset(store(), side(200), { modalities: ['sentinel2', 'era5'], order: 'nodata-first' });
    const s = await ds.get(0);
    expect(s.modalities.sentinel2!.data[0]).toBe(0);
    expect(s.modalities.sentinel2!.data[12]).toBeCloseTo(1, 6);
    const ds2 = new MMEarthDataset(store(), side(200), { modalities: ['sentinel2', 'era5'], order: 'nodata-first', pixelTargetNonFinite: 'nan' });
    expect((await ds2.get(0)).modalities.sentinel2!.data[0]).toBe(0); // inputs are always sanitised
  });

  it('chooses the L1C or L2A statistics per tile from its S2_type', async () => {
    const two = new MemoryMMEarthStore('memory:two', { sentinel2: { data: new Uint16Array(2 * 13 * 4).fill(500), shape: [13, 2, 2] } }, [
      { tileId: 'a', s2Type: 'l1c' },
      { tileId: 'b', s2Type: 'l2a' },
    ]);
    const sideTwo: MMEarthSideFiles = {
      bandStats: {
        sentinel2_l1c: { mean: Array(13).fill(100), std: Array(13).fill(100), min: [], max: [] },
        sentinel2_l2a: { mean: Array(13).fill(300), std: Array(13).fill(100), min: [], max: [] },
      },
      splits: { train: [0, 1] },
      tileInfo: { get: (id) => ({ S2_type: id === 'a' ? 'l1c' : 'l2a' }), has: () => true, size: 2 },
    };
    const ds = new MMEarthDataset(two, sideTwo, { modalities: ['sentinel2'] });
    expect((await ds.get(0)).modalities.sentinel2!.data[0]).toBeCloseTo(4, 6); // (500 - 100) / 100
    expect((await ds.get(1)).modalities.sentinel2!.data[0]).toBeCloseTo(2, 6); // (500 - 300) / 100
    expect((await ds.get(1)).meta?.s2Type).toBe('l2a');
    const onlyL1c: MMEarthSideFiles = { ...sideTwo, bandStats: { sentinel2_l1c: sideTwo.bandStats.sentinel2_l1c! } };
    await expect(new MMEarthDataset(two, onlyL1c, { modalities: ['sentinel2'] }).get(1)).rejects.toThrow(
      /band-stats file has no "sentinel2_l2a" statistics \(needed for "sentinel2" of tile "b"\)/,
    );
  });

  it('image-level continuous targets keep NaN for missing values (±inf become NaN)', async () => {
    const ds = new MMEarthDataset(store(), side(200), { modalities: ['sentinel2', 'era5'] });
    const e = (await ds.get(0)).modalities.era5!;
    expect(e.data[0]).toBe(1);
    expect(Number.isNaN(e.data[3])).toBe(true);
    expect(Number.isNaN(e.data[4])).toBe(true);
  });

  it('a non-finite raw input value that is not no-data is a bad sample naming the file and index', async () => {
    const bad = new Float32Array(12).fill(0);
    bad[5] = Number.POSITIVE_INFINITY;
    const st = new MemoryMMEarthStore('memory:bad', { era5: { data: bad, shape: [12] } }, [{ tileId: 't0', s2Type: 'l1c' }]);
    const ds = new MMEarthDataset(st, side(0), { modalities: ['era5'], inputs: ['era5'] });
    const err = await ds.get(0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadSampleError);
    expect((err as Error).message).toMatch(/non-finite-input.*memory:bad, sample 0.*"era5".*1 NaN\/inf/);
    const lenient = new MMEarthDataset(st, side(0), { modalities: ['era5'], inputs: ['era5'], nonFiniteInput: 'sanitize' });
    expect((await lenient.get(0)).modalities.era5!.data[5]).toBe(0);
  });

  it('a missing tile-info entry is a bad sample; missing or degenerate statistics are format errors', async () => {
    const noInfo: MMEarthSideFiles = { ...side(0), tileInfo: { get: () => undefined, has: () => false, size: 0 } };
    const ds = new MMEarthDataset(store(), noInfo, { modalities: ['sentinel2'] });
    await expect(ds.get(0)).rejects.toThrow(/missing-metadata.*tile id "t0" is not in the tile-info file/);
    const zeroStd: MMEarthSideFiles = {
      ...side(0),
      bandStats: { sentinel2_l1c: { mean: Array(13).fill(0), std: Array(13).fill(0), min: [], max: [] } },
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const degenerate = new MMEarthDataset(store(), zeroStd, { modalities: ['sentinel2'] });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/band "B1" of "sentinel2" mean 0 and std 0.*treated as missing/));
    expect((await degenerate.get(0)).modalities.sentinel2!.data[12]).toBe(0);
    warn.mockRestore();
    const noStats: MMEarthSideFiles = { ...side(0), bandStats: {} };
    expect(() => new MMEarthDataset(store(), noStats, { modalities: ['sentinel2'] })).toThrow(/no sentinel2_l1c \/ sentinel2_l2a statistics/);
  });
});

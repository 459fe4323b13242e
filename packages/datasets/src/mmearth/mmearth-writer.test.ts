import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedPath } from '@terramae/testing';
import { MMEarthWriter } from './mmearth-writer';
import { MMEarthDataset } from './mmearth-dataset';
import { H5MMEarthStore } from './h5-store';
import { DatasetFileError, DatasetFormatError } from '../errors';
import { parseJsonNonFinite } from '../util/json-nonfinite';
import { MMEARTH_ALL_MOD } from '../modalities/mmearth-modalities';

const tmp = mkdtempSync(join(tmpdir(), 'terramae-writer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const fixture = sharedPath('fixtures', 'mmearth', 'data_eurosat_16_v001_64.h5');

function hasH5py(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import h5py, numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!fixture)('MMEarthWriter round trip of the fixture', () => {
  const out = join(tmp, 'data_copy_64.h5');
  const modalities = [
    'sentinel2', 'sentinel1', 'aster', 'canopy_height_eth', 'dynamic_world', 'esa_worldcover',
    'era5', 'lat', 'lon', 'month', 'biome', 'eco_region', 'sentinel2_cloudmask', 'sentinel2_cloudprod', 'sentinel2_scl',
  ];

  it('copies every modality; our reader sees identical values; stats match the fixture', async () => {
    const src = await H5MMEarthStore.open(fixture!);
    const info = parseJsonNonFinite(readFileSync(fixture!.replace('.h5', '_tile_info.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    const w = await MMEarthWriter.create(out, { numSamples: src.length, tileSize: 64, modalities });
    for (let i = 0; i < src.length; i++) {
      const meta = src.meta(i);
      const data: Record<string, ArrayLike<number>> = {};
      for (const m of modalities) data[m] = src.read(m, i);
      const { BANDS: _b, ...rest } = info[meta.tileId]!;
      w.write({ tileId: meta.tileId, s2Type: meta.s2Type as 'l1c', data, tileInfo: rest });
    }
    const result = await w.close({ train: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], val: [12, 13], test: [14, 15] });
    expect(existsSync(out)).toBe(true);
    expect(existsSync(`${out}.partial`)).toBe(false);
    const fixtureStats = JSON.parse(readFileSync(fixture!.replace('.h5', '_band_stats.json'), 'utf8'));
    for (let c = 0; c < 13; c++) {
      expect(result.bandStats.sentinel2_l1c!.mean[c]).toBeCloseTo(fixtureStats.sentinel2_l1c.mean[c], 6);
      expect(result.bandStats.sentinel2_l1c!.std[c]).toBeCloseTo(fixtureStats.sentinel2_l1c.std[c], 4);
      expect(result.bandStats.sentinel2_l1c!.min[c]).toBe(fixtureStats.sentinel2_l1c.min[c]);
      expect(result.bandStats.sentinel2_l1c!.max[c]).toBe(fixtureStats.sentinel2_l1c.max[c]);
    }
    // S1 statistics skip -inf; the fixture has no L2A tile, so there is no sentinel2_l2a key
    const s1 = result.bandStats.sentinel1!;
    expect([0, 1, 4, 5].every((c) => Number.isFinite(s1.mean[c]) && s1.std[c]! > 0)).toBe(true);
    expect([2, 3, 6, 7].every((c) => Number.isNaN(s1.mean[c]))).toBe(true); // HH/HV never present
    expect(readFileSync(result.paths.bandStats, 'utf8')).toContain('NaN');
    expect(result.bandStats.sentinel2_l2a).toBeUndefined();
    // tile info: S1 bands present derived from the data, as the fixture says
    const written = JSON.parse(readFileSync(result.paths.tileInfo, 'utf8'));
    for (const id of Object.keys(info)) {
      expect(written[id].BANDS.sentinel1_desc).toEqual(info[id]!.BANDS && (info[id]!.BANDS as Record<string, unknown>).sentinel1_desc);
      expect(written[id].lat).toBe(info[id]!.lat);
    }
    const sel = { ...MMEARTH_ALL_MOD, sentinel1: ['asc_VV', 'asc_VH', 'desc_VV', 'desc_VH'] };
    const a = await MMEarthDataset.open(fixture!, { split: 'val', modalities: sel, normalize: false });
    const b = await MMEarthDataset.open(out, { split: 'val', modalities: sel, normalize: false });
    for (let p = 0; p < a.length; p++) {
      const sa = await a.get(p);
      const sb = await b.get(p);
      expect(sb.id).toBe(sa.id);
      for (const m of Object.keys(a.specs)) {
        expect(Array.from(sb.modalities[m]!.data)).toEqual(Array.from(sa.modalities[m]!.data));
      }
    }
    a.close();
    b.close();
    const copy = await H5MMEarthStore.open(out);
    for (const m of modalities) {
      expect(copy.dtype(m)).toBe(src.dtype(m));
      expect(copy.shape(m)).toEqual(src.shape(m));
      expect(Array.from(copy.read(m, 15))).toEqual(Array.from(src.read(m, 15)));
    }
    copy.close();
    src.close();
  });

  it.skipIf(!hasH5py())('h5py reads the written file with the release layout', () => {
    const script = `
import h5py, json, sys
f = h5py.File(sys.argv[1], 'r')
out = {}
for k in f.keys():
    d = f[k]
    out[k] = {'shape': list(d.shape), 'dtype': str(d.dtype), 'chunks': list(d.chunks), 'compression': d.compression}
out['tile0'] = f['metadata'][0]['tile_id'].decode()
out['type0'] = f['metadata'][0]['S2_type'].decode()
out['s2sum'] = int(f['sentinel2'][3].astype('int64').sum())
print(json.dumps(out))
`;
    const text = execFileSync('/usr/bin/python3', ['-c', script, out], { encoding: 'utf8' });
    const r = JSON.parse(text);
    expect(r.sentinel2).toEqual({ shape: [16, 13, 64, 64], dtype: 'uint16', chunks: [1, 13, 64, 64], compression: 'gzip' });
    expect(r.canopy_height_eth.dtype).toBe('int8');
    expect(r.eco_region).toMatchObject({ shape: [16, 846], dtype: 'uint16', chunks: [1, 846] });
    expect(r.metadata.shape).toEqual([16]);
    expect(r.tile0).toBe('HerbaceousVegetation_2694');
    expect(r.type0).toBe('l1c');
    const ref = execFileSync('/usr/bin/python3', ['-c', script, fixture!], { encoding: 'utf8' });
    expect(r.s2sum).toBe(JSON.parse(ref).s2sum);
  });
});

describe('MMEarthWriter checks its input', () => {
  it('derives lat/lon/month/biome from tile info, fills missing modalities on request, splits by fraction', async () => {
    const path = join(tmp, 'data_small_8.h5');
    const w = await MMEarthWriter.create(path, {
      numSamples: 4, tileSize: 8, modalities: ['sentinel2', 'sentinel1', 'lat', 'lon', 'month', 'biome'], missing: 'fill', compression: 0,
    });
    for (let i = 0; i < 4; i++) {
      const s2 = new Uint16Array(13 * 64).fill(1000 + i);
      w.write({ tileId: `t${i}`, data: { sentinel2: s2 }, tileInfo: { lat: 10 * i, lon: -5, S2_DATE: `2020-0${i + 1}-15`, biome: i, label: i % 2 } });
    }
    const res = await w.close({ fractions: { train: 0.5, val: 0.25, test: 0.25 }, seed: 3 });
    expect([...res.splits.train!, ...res.splits.val!, ...res.splits.test!].sort()).toEqual([0, 1, 2, 3]);
    expect(res.splits.train).toHaveLength(2);
    const ds = await MMEarthDataset.open(path, { split: 'all', modalities: ['sentinel2', 'sentinel1', 'lat', 'month', 'biome'], normalize: false, labelField: 'label' });
    const s = await ds.get(2);
    expect(s.modalities.lat!.data[0]).toBeCloseTo(Math.sin((20 * Math.PI) / 180), 6);
    expect(s.modalities.month!.data[1]).toBeCloseTo(Math.cos((2 * Math.PI * 3) / 12), 6);
    expect(s.modalities.biome!.data[0]).toBe(2);
    expect(s.meta?.label).toBe(0);
    expect(Array.from(s.modalities.sentinel1!.data.slice(0, 8))).toEqual(Array(8).fill(0)); // filled -inf → 0
    const info = JSON.parse(readFileSync(res.paths.tileInfo, 'utf8'));
    expect(info.t2.BANDS.sentinel1_asc).toBeNull();
    expect(info.t2.label).toBe(0);
    ds.close();
  });

  it('names the sample and modality for wrong sizes, out-of-range values, unknown modalities, and missing data', async () => {
    const path = join(tmp, 'data_bad_4.h5');
    const w = await MMEarthWriter.create(path, { numSamples: 2, tileSize: 4, modalities: ['sentinel2', 'aster'] });
    expect(() => w.write({ tileId: 'a', data: { sentinel2: new Uint16Array(12 * 16), aster: new Int16Array(32) } })).toThrow(
      /sample 0 \("a"\), modality "sentinel2" has 192 values; expected 13 channels x 4 x 4 = 208/,
    );
    expect(() => w.write({ tileId: 'a', data: { sentinel2: new Float32Array(13 * 16).fill(-1), aster: new Int16Array(32) } })).toThrow(
      /"sentinel2" holds -1 at value 0, outside the uint16 range/,
    );
    expect(() => w.write({ tileId: 'a', data: { sentinel2: new Uint16Array(13 * 16), aster: new Int16Array(32), dem: [1] } })).toThrow(
      /has data for "dem", which is not among the file's modalities/,
    );
    expect(() => w.write({ tileId: 'a', data: { sentinel2: new Uint16Array(13 * 16) } })).toThrow(/modality "aster" is missing.*missing: 'fill'/);
    w.write({ tileId: 'a', data: { sentinel2: new Uint16Array(13 * 16), aster: new Int16Array(32) } });
    await expect(w.close()).rejects.toThrow(/1 of 2 samples were written/);
    await expect(MMEarthWriter.create(join(tmp, 'x.hdf'), { numSamples: 1, tileSize: 4, modalities: ['aster'] })).rejects.toThrow(DatasetFormatError);
    const ok = join(tmp, 'data_exists_4.h5');
    const w2 = await MMEarthWriter.create(ok, { numSamples: 1, tileSize: 4, modalities: ['aster'] });
    w2.write({ tileId: 'z', data: { aster: { data: new Int16Array(32), layout: 'hwc' } } });
    await w2.close();
    await expect(MMEarthWriter.create(ok, { numSamples: 1, tileSize: 4, modalities: ['aster'] })).rejects.toThrow(DatasetFileError);
    await expect(MMEarthWriter.create(ok, { numSamples: 1, tileSize: 4, modalities: ['aster'] })).rejects.toThrow(/already exists.*overwrite: true/);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateSyntheticEarth, writeSyntheticEarth, type SyntheticEarth } from './synthetic-earth';
import { seaLevelTemperature } from './climate';
import { LC } from './land-cover';
import { MMEarthDataset } from '../mmearth/mmearth-dataset';
import { geoPairs } from '../neighbors/geo-pairs';

const tmp = mkdtempSync(join(tmpdir(), 'terramae-synth-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('synthetic Earth', () => {
  let earth: SyntheticEarth;
  beforeAll(() => {
    earth = generateSyntheticEarth({ numLocations: 48, tileSize: 32, seed: 3, siteSize: 2 });
  });
  const S = 32;
  const HW = S * S;

  it('is deterministic per seed, and a tile does not depend on how many are generated', () => {
    const again = generateSyntheticEarth({ numLocations: 6, tileSize: 32, seed: 3, siteSize: 2 });
    for (const m of ['sentinel2', 'sentinel1', 'aster', 'dynamic_world', 'era5']) {
      for (let t = 0; t < 6; t++) expect(Array.from(again.store.read(m, t))).toEqual(Array.from(earth.store.read(m, t)));
    }
    const other = generateSyntheticEarth({ numLocations: 2, tileSize: 32, seed: 4 });
    expect(Array.from(other.store.read('sentinel2', 0))).not.toEqual(Array.from(earth.store.read('sentinel2', 0)));
  });

  it('says it is synthetic and carries the MMEarth tile info, splits by site and band stats', () => {
    const id = earth.tileIds[5]!;
    const info = earth.tileInfo[id]!;
    expect(id).toMatch(/^synthetic_\d+_\d_\d$/);
    expect(info.SYNTHETIC).toBe(true);
    expect(info.S2_type === 'l1c' || info.S2_type === 'l2a').toBe(true);
    expect(info.CRS).toMatch(/^EPSG:32[67]\d\d$/);
    expect(info.S2_DATE).toMatch(/^20(17|18|19|20)-\d\d-\d\d$/);
    const splits = earth.side.splits;
    expect([...splits.train!, ...splits.val!, ...splits.test!].sort((a, b) => a - b)).toEqual(Array.from({ length: 48 }, (_, i) => i));
    for (const [a, b] of [['train', 'val'], ['train', 'test'], ['val', 'test']] as const) {
      const sitesA = new Set(splits[a]!.map((t) => earth.sites[t]));
      expect(splits[b]!.some((t) => sitesA.has(earth.sites[t]!))).toBe(false); // no site straddles splits
    }
    for (const key of ['sentinel2_l1c', 'sentinel2_l2a', 'sentinel1', 'aster', 'canopy_height_eth', 'era5', 'lat', 'lon', 'month']) {
      expect(earth.side.bandStats[key], key).toBeDefined();
    }
    expect(earth.side.bandStats.sentinel1!.std.every((s) => s > 0)).toBe(true); // VV/VH and HH/HV both occur
  });

  it('labels are the dominant Dynamic World class and land cover drives every pixel modality', () => {
    const ndvi: number[][] = Array.from({ length: 9 }, () => []);
    const vv: number[][] = Array.from({ length: 9 }, () => []);
    let treeHeight = 0;
    let trees = 0;
    let agree = 0;
    let total = 0;
    const codes = [80, 10, 30, 90, 40, 20, 50, 60, 70];
    for (let t = 0; t < earth.store.length; t++) {
      const dw = earth.store.read('dynamic_world', t);
      const wc = earth.store.read('esa_worldcover', t);
      const s2 = earth.store.read('sentinel2', t);
      const s1 = earth.store.read('sentinel1', t);
      const ch = earth.store.read('canopy_height_eth', t);
      const hhMode = earth.tileInfo[earth.tileIds[t]!]!.BANDS!.sentinel1_asc![0] === 'HH';
      const hist = new Array(10).fill(0);
      for (let p = 0; p < HW; p++) {
        hist[dw[p]!]++;
        if (dw[p] === 0) continue;
        const k = dw[p]! - 1;
        const nir = s2[8 * HW + p]!;
        const red = s2[3 * HW + p]!;
        ndvi[k]!.push((nir - red) / (nir + red));
        vv[k]!.push(s1[(hhMode ? 2 : 0) * HW + p]!);
        if (k === LC.trees) {
          treeHeight += ch[p]!;
          trees++;
        } else if (k !== LC.shrub && k !== LC.flooded) expect(ch[p]).toBe(0);
        total++;
        if (wc[p] === codes[k] || wc[p] === 95 || wc[p] === 100) agree++;
      }
      hist[0] = -1;
      expect(hist.indexOf(Math.max(...hist)) - 1).toBe(earth.labels[t]);
      expect(earth.tileInfo[earth.tileIds[t]!]!.label).toBe(earth.labels[t]);
    }
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(ndvi[LC.trees]!.length).toBeGreaterThan(100);
    expect(mean(ndvi[LC.trees]!)).toBeGreaterThan(0.4);
    if (ndvi[LC.water]!.length) expect(mean(ndvi[LC.water]!)).toBeLessThan(0.1);
    if (ndvi[LC.bare]!.length) expect(mean(ndvi[LC.bare]!)).toBeLessThan(mean(ndvi[LC.trees]!) - 0.2);
    if (vv[LC.water]!.length) expect(mean(vv[LC.water]!)).toBeLessThan(-15);
    if (vv[LC.built]!.length) expect(mean(vv[LC.built]!)).toBeGreaterThan(mean(vv[LC.water]!) + 10);
    expect(treeHeight / trees).toBeGreaterThan(5);
    expect(agree / total).toBeGreaterThan(0.95);
  });

  it('climate follows latitude and elevation; lat/lon/month encode the tile centre and date', () => {
    for (let t = 0; t < earth.store.length; t += 5) {
      const info = earth.tileInfo[earth.tileIds[t]!]!;
      const aster = earth.store.read('aster', t);
      let z = 0;
      for (let p = 0; p < HW; p++) z += Math.max(0, aster[p]!);
      z /= HW;
      const era = earth.store.read('era5', t);
      expect(era[8]! - 273.15).toBeCloseTo(seaLevelTemperature(info.lat!) - 0.0065 * z, 0);
      expect(era[10]).toBeGreaterThan(era[9]!); // year max > year min
      const lat = earth.store.read('lat', t);
      expect(lat[0]).toBeCloseTo(Math.sin((info.lat! * Math.PI) / 180), 5);
      const month = Number(info.S2_DATE!.slice(5, 7));
      expect(earth.store.read('month', t)[1]).toBeCloseTo(Math.cos((2 * Math.PI * month) / 12), 5);
      expect(earth.store.read('biome', t)[info.biome!]).toBe(1);
    }
  });

  it('tiles of a site are adjacent: footprints share edges and the terrain continues across them', () => {
    const pairs = geoPairs(earth.footprints, { maxDistance: S * 10 + 1 });
    expect(pairs).toHaveLength(12 * 4); // 12 sites of 2 x 2 tiles, 4 edge pairs each
    for (const p of pairs) {
      expect(p.relation).toBe('edge');
      expect(earth.sites[p.a]).toBe(earth.sites[p.b]);
      expect(Math.abs(p.offset[0]) + Math.abs(p.offset[1])).toBeCloseTo(S * 10, 6);
    }
    // tile (0,0) and its east neighbour (0,1): elevation along the shared edge is continuous
    const a = earth.store.read('aster', 0);
    const b = earth.store.read('aster', 1);
    let across = 0;
    let within = 0;
    for (let i = 0; i < S; i++) {
      across += Math.abs(a[i * S + S - 1]! - b[i * S]!);
      within += Math.abs(a[i * S + S - 1]! - a[i * S + S - 2]!);
    }
    expect(across).toBeLessThan(3 * within + 3 * S);
  });

  it('reads in memory through MMEarthDataset with the label, and writes an MMEarth-layout file that reads back the same', async () => {
    // 6 small tiles may hold no trees: canopy statistics are then degenerate and warned about
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const small = generateSyntheticEarth({ numLocations: 6, tileSize: 16, seed: 9 });
    const mem = small.dataset();
    const s = await mem.get(2);
    expect(s.meta?.label).toBe(small.labels[2]);
    expect(s.modalities.sentinel2!.shape).toEqual([16, 16, 12]);
    expect(Number.isFinite(s.modalities.sentinel1!.data[0])).toBe(true);
    const path = join(tmp, 'data_synthetic_6_16.h5');
    const { result } = await writeSyntheticEarth(path, { numLocations: 6, tileSize: 16, seed: 9 });
    expect(JSON.parse(readFileSync(result.paths.splits, 'utf8'))).toEqual(small.side.splits);
    const disk = await MMEarthDataset.open(path, { split: 'all', labelField: 'label' });
    for (const i of [0, 5]) {
      const a = await mem.get(i);
      const b = await disk.get(i);
      expect(b.meta?.label).toBe(a.meta?.label);
      for (const m of Object.keys(mem.specs)) {
        const da = a.modalities[m]!.data;
        const db = b.modalities[m]!.data;
        for (let k = 0; k < da.length; k += 7) expect(db[k]).toBeCloseTo(da[k]!, 4);
      }
    }
    disk.close();
    warn.mockRestore();
  });
});

import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng, type Sample } from '@terramae/tensors';
import { sharedPath } from '@terramae/testing';
import { samePlaceGroups } from './same-place';
import { SamePlacePairSource } from './pair-sources';
import { ArraySource } from '../loader/array-source';
import { readNpy } from '../util/npy';
import { footprintOf } from '../geo/footprint';

const eolearn = sharedPath('data', 'eolearn-slovenia');

describe('samePlaceGroups', () => {
  it('links centres within the tolerance transitively and orders each group by date', () => {
    const items = [
      { center: { lon: 14.5, lat: 46 }, date: '2020-05-01' },
      { center: { lon: 14.5001, lat: 46 }, date: '2019-05-01' }, // ~7.7 m east
      { center: { lon: 14.6, lat: 46 }, date: '2020-01-01' },
      { center: { lon: 14.5002, lat: 46 }, date: '2021-01-01' },
    ];
    expect(samePlaceGroups(items, { toleranceMetres: 10 })).toEqual([[1, 0, 3]]);
    expect(samePlaceGroups(items, { toleranceMetres: 10, keepSingles: true })).toEqual([[1, 0, 3], [2]]);
  });
});

describe.skipIf(!eolearn)('same-place pairs on eo-learn Slovenia (5 dates of one site)', () => {
  it('groups the 5 dates and pairs each with another date, sharing the site footprint', async () => {
    const scenes = readNpy(join(eolearn!, 'REFERENCE_SCENES.npy'));
    expect(scenes.shape).toEqual([5, 101, 100, 13]);
    const geo = JSON.parse(readFileSync(join(eolearn!, 'bbox.geojson'), 'utf8'));
    const ring = geo.coordinates[0] as number[][];
    const xs = ring.map((p) => p[0]!);
    const ys = ring.map((p) => p[1]!);
    const fp = footprintOf([Math.min(...xs), Math.max(...ys), Math.max(...xs), Math.min(...ys)], 'EPSG:32633');
    expect(fp.center!.lat).toBeGreaterThan(45.8);
    expect(fp.center!.lat).toBeLessThan(46.0);
    const per = 101 * 100 * 13;
    const samples: Sample[] = [0, 1, 2, 3, 4].map((d) => ({
      index: d,
      id: `date${d}`,
      modalities: { sentinel2: { data: Float32Array.from(scenes.data.subarray(d * per, (d + 1) * per)), shape: [101, 100, 13] } },
      box: fp.box,
    }));
    const groups = samePlaceGroups(samples.map((s, i) => ({ center: fp.center!, date: `2017-0${i + 1}-01` })));
    expect(groups).toEqual([[0, 1, 2, 3, 4]]);
    const specs = { sentinel2: { name: 'sentinel2', level: 'pixel', kind: 'continuous', bands: Array(13).fill('b') } } as const;
    const src = new SamePlacePairSource(new ArraySource(samples, specs), groups, { allowSelf: false });
    expect(src.length).toBe(5);
    const seen = new Set<number>();
    for (let seed = 0; seed < 20; seed++) {
      const ex = await src.get(2, { rng: new Rng(seed), epoch: 0 });
      expect(ex.meta?.anchor).toBe(2);
      expect(ex.meta?.neighbor).not.toBe(2);
      seen.add(ex.meta?.neighbor as number);
      expect(ex.views[0]!.box).toEqual(fp.box);
      expect(ex.views[1]!.box).toEqual(fp.box);
      expect(ex.views[1]!.id).toBe(`date${ex.meta?.neighbor}`);
    }
    expect(seen.size).toBe(4);
    // default, as NeighborMAE's random.sample over the instance folder: the anchor itself is a possible neighbour
    const withSelf = new SamePlacePairSource(new ArraySource(samples, specs), groups);
    const drawn = new Set<number>();
    for (let seed = 0; seed < 60; seed++) drawn.add((await withSelf.get(2, { rng: new Rng(seed), epoch: 0 })).meta?.neighbor as number);
    expect([...drawn].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(() => new SamePlacePairSource(new ArraySource(samples, specs), [[0], [1, 2]], { allowSelf: false })).toThrow(/group \[0\] has one member/);
    expect(new SamePlacePairSource(new ArraySource(samples, specs), [[0], [1, 2]]).length).toBe(3);
  });
});

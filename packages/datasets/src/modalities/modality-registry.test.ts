import { describe, expect, it, vi } from 'vitest';
import { getModality, hasModality, listModalities, registerModality, unregisterModality } from './modality-registry';
import { applyLabelRemap, DYNAMIC_WORLD_REMAP, ESA_WORLDCOVER_REMAP } from './label-remap';
import { MMEARTH_S2_INPUT_BANDS } from './mmearth-modalities';
import type { ModalityDefinition } from './modality-definition';

describe('modality registry', () => {
  it('holds every MMEarth modality with the release conventions', () => {
    for (const m of ['sentinel2', 'sentinel1', 'aster', 'canopy_height_eth', 'dynamic_world', 'esa_worldcover', 'era5', 'lat', 'lon',
      'month', 'biome', 'eco_region', 'sentinel2_cloudmask', 'sentinel2_cloudprod', 'sentinel2_scl']) {
      expect(hasModality(m), m).toBe(true);
    }
    const s2 = getModality('sentinel2');
    expect(s2.storedBands).toHaveLength(13);
    expect(s2.storedBands.indexOf('B8A')).toBe(7);
    expect(s2.storedBands.indexOf('B8')).toBe(8);
    expect(MMEARTH_S2_INPUT_BANDS).not.toContain('B10');
    expect(getModality('sentinel1').noData).toBe(Number.NEGATIVE_INFINITY);
    expect(getModality('canopy_height_eth')).toMatchObject({ dtype: 'int8', noData: 255 });
    expect(getModality('eco_region')).toMatchObject({ encoding: 'one-hot', numClasses: 846, dtype: 'uint16' });
    expect(Number.isNaN(getModality('era5').noData)).toBe(true);
  });

  it('remaps Dynamic World (0 → ignore, 1..9 → 0..8) and WorldCover (10..100 → 0..10, else ignore)', () => {
    expect(Array.from(applyLabelRemap([0, 1, 5, 9, 10, 255], DYNAMIC_WORLD_REMAP, -1))).toEqual([-1, 0, 4, 8, -1, -1]);
    expect(Array.from(applyLabelRemap([10, 20, 90, 95, 100, 0, 255, 15], ESA_WORLDCOVER_REMAP, -1))).toEqual([0, 1, 8, 9, 10, -1, -1, -1]);
  });

  it('registers a user modality, warns on a duplicate name, and validates definitions', () => {
    const def: ModalityDefinition = {
      name: 'my_lidar', level: 'pixel', kind: 'continuous', bands: ['dsm', 'dtm'], storedBands: ['dsm', 'dtm'],
      dtype: 'float32', noData: -9999, encoding: 'values', statsKey: 'my_lidar', computeStats: true,
    };
    registerModality(def);
    expect(getModality('my_lidar')).toBe(def);
    expect(listModalities()).toContain('my_lidar');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    registerModality({ ...def, description: 'v2' });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('modality "my_lidar" is registered twice'));
    warn.mockRestore();
    expect(getModality('my_lidar').description).toBe('v2');
    expect(unregisterModality('my_lidar')).toBe(true);
    expect(() => getModality('my_lidar')).toThrow(/Unknown modality "my_lidar". Registered modalities: sentinel2, /);
    expect(() => registerModality({ ...def, kind: 'categorical' })).toThrow(/needs numClasses > 0/);
    expect(() => registerModality({ ...def, bands: ['a', 'b'] })).toThrow(/bands and storedBands must be the same list/);
  });

  it('is one registry per process, shared through globalThis', async () => {
    const key = Symbol.for('terramae.datasets.modalities');
    const map = (globalThis as unknown as Record<symbol, Map<string, unknown>>)[key];
    expect(map?.get('sentinel2')).toBe(getModality('sentinel2'));
  });
});

import { describe, expect, it } from 'vitest';
import { mmearthTasks } from './mmearth-tasks';

describe('mmearthTasks', () => {
  it('returns MMEarth loss order per configuration', () => {
    expect(mmearthTasks('all').map((t) => t.id)).toEqual([
      'sentinel2', 'sentinel1', 'aster', 'era5', 'dynamic_world', 'canopy_height_eth', 'lat', 'lon', 'biome', 'eco_region', 'month', 'esa_worldcover',
    ]);
    expect(mmearthTasks('s2').map((t) => t.id)).toEqual(['sentinel2']);
    expect(mmearthTasks('rgb').map((t) => t.id)).toEqual(['sentinel2']);
    expect(mmearthTasks('img').map((t) => t.id)).toEqual(['sentinel2', 'era5', 'lat', 'lon', 'biome', 'eco_region', 'month']);
    expect(mmearthTasks('pix').map((t) => t.id)).toEqual(['sentinel2', 'sentinel1', 'aster', 'dynamic_world', 'canopy_height_eth', 'esa_worldcover']);
  });
  it('sets norm-pix on S2 only, the task kinds, and MMEarth decoder settings', () => {
    const all = mmearthTasks('all');
    const byId = Object.fromEntries(all.map((t) => [t.id, t]));
    expect((byId['sentinel2']!.config as { normPix: boolean }).normPix).toBe(true);
    expect((byId['sentinel1']!.config as { normPix: boolean }).normPix).toBe(false);
    expect(byId['dynamic_world']!.definition.name).toBe('pixel-classification');
    expect(byId['biome']!.definition.name).toBe('image-classification');
    expect(byId['month']!.definition.name).toBe('image-regression');
    expect((byId['era5']!.config as { decoder: { dim: number; depth: number; sharing: string } }).decoder).toMatchObject({ dim: 512, depth: 1, sharing: 'shared' });
    expect(() => mmearthTasks('everything' as never)).toThrow(/s2, img, pix, all, rgb/);
  });
});

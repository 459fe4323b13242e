import { describe, expect, it } from 'vitest';
import { Rng } from '@terramae/tensors';
import { lonLatToUtm, utmToLonLat, utmZoneFromEpsg, utmZoneOf } from './utm';
import { haversineMetres, localEastNorth } from './distance';

describe('UTM <-> WGS84', () => {
  it('parses EPSG:326xx / 327xx and rejects other codes', () => {
    expect(utmZoneFromEpsg('EPSG:32633')).toEqual({ zone: 33, south: false });
    expect(utmZoneFromEpsg(32749)).toEqual({ zone: 49, south: true });
    expect(utmZoneFromEpsg('EPSG:4326')).toBeUndefined();
    expect(utmZoneFromEpsg('EPSG:32661')).toBeUndefined(); // UPS north, not UTM
  });

  it('maps the central meridian on the equator to (500000, 0) and back', () => {
    expect(lonLatToUtm(15, 0, { zone: 33, south: false })).toEqual({ easting: 500000, northing: 0 });
    const s = lonLatToUtm(15, -0.000001, { zone: 33, south: true });
    expect(s.easting).toBeCloseTo(500000, 6);
    expect(s.northing).toBeCloseTo(10000000 - 0.110574, 3); // 1e-6 degree of latitude ≈ 0.1106 m
    const ll = utmToLonLat(500000, 0, { zone: 33, south: false });
    expect(ll.lon).toBeCloseTo(15, 12);
    expect(ll.lat).toBeCloseTo(0, 12);
  });

  it('matches the length of a degree of latitude along the central meridian (k0 = 0.9996)', () => {
    // meridian arc from 0 to 45°N on WGS84: 4984944.378 m (standard value); northing = k0 * arc
    const { northing } = lonLatToUtm(9, 45, { zone: 32, south: false });
    expect(northing).toBeCloseTo(0.9996 * 4984944.378, 2);
  });

  it('round-trips random points across zones to below a millimetre', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 500; i++) {
      const lat = rng.uniformRange(-79, 83);
      const lon = rng.uniformRange(-180, 180);
      const zone = utmZoneOf(lon, lat);
      const { easting, northing } = lonLatToUtm(lon, lat, zone);
      expect(easting).toBeGreaterThan(100000);
      expect(easting).toBeLessThan(900000);
      const back = utmToLonLat(easting, northing, zone);
      expect(haversineMetres(lon, lat, back.lon, back.lat)).toBeLessThan(1e-3);
    }
  });

  it('haversine and local east/north agree for nearby points', () => {
    const d = haversineMetres(14.5, 46, 14.51, 46.005);
    const { east, north } = localEastNorth(14.51, 46.005, 14.5, 46);
    expect(Math.hypot(east, north)).toBeCloseTo(d, 6);
    expect(east).toBeGreaterThan(0);
    expect(north).toBeGreaterThan(0);
    expect(haversineMetres(0, 0, 0, 1)).toBeCloseTo(111195.08, 1);
  });
});

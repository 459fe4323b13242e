/** Mean Earth radius (m), IUGG. */
export const EARTH_RADIUS_M = 6371008.8;

/** Great-circle distance in metres between two lon/lat points (haversine). */
export function haversineMetres(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Local east/north offsets in metres of a lon/lat point from an origin (azimuthal equidistant
 * on the sphere: exact distance and bearing from the origin, fine for neighbours kilometres apart).
 */
export function localEastNorth(lon: number, lat: number, originLon: number, originLat: number): { east: number; north: number } {
  const rad = Math.PI / 180;
  const phi0 = originLat * rad;
  const phi = lat * rad;
  const dLam = (lon - originLon) * rad;
  const cosC = Math.sin(phi0) * Math.sin(phi) + Math.cos(phi0) * Math.cos(phi) * Math.cos(dLam);
  const c = Math.acos(Math.max(-1, Math.min(1, cosC)));
  const k = c < 1e-12 ? 1 : c / Math.sin(c);
  const east = EARTH_RADIUS_M * k * Math.cos(phi) * Math.sin(dLam);
  const north = EARTH_RADIUS_M * k * (Math.cos(phi0) * Math.sin(phi) - Math.sin(phi0) * Math.cos(phi) * Math.cos(dLam));
  return { east, north };
}

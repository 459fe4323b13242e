import { footprintOf, lonLatToUtm, utmZoneFromEpsg, type Footprint, type TileInfo } from '@terramae/datasets';

/**
 * The footprint of an MMEarth tile from its tile info: a `size × size` pixel square at `gsd`
 * metres per pixel around the tile centre (`lat`, `lon`), in the tile's UTM CRS. `undefined`
 * when the tile info has no UTM CRS or no centre.
 */
export function tileFootprint(info: TileInfo | undefined, size: number, gsd = 10): Footprint | undefined {
  if (!info || typeof info.lat !== 'number' || typeof info.lon !== 'number' || typeof info.CRS !== 'string') return undefined;
  const zone = utmZoneFromEpsg(info.CRS);
  if (!zone) return undefined;
  const { easting, northing } = lonLatToUtm(info.lon, info.lat, zone);
  const half = (size * gsd) / 2;
  return footprintOf([easting - half, northing + half, easting + half, northing - half], info.CRS);
}

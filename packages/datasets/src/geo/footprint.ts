import type { Box } from '@terramae/tensors';
import { DatasetFormatError } from '../errors';
import { utmToLonLat, utmZoneFromEpsg } from './utm';

/**
 * Georeferencing of a north-up raster: the CRS, the top-left corner of the top-left pixel, and the
 * pixel size (x positive, y negative for north-up).
 */
export interface Georeference {
  /** `EPSG:<code>` when known. */
  readonly crs?: string;
  /** Top-left corner `[x, y]` in CRS units. */
  readonly origin: readonly [number, number];
  /** Pixel size `[dx, dy]` in CRS units (`dy < 0` for north-up). */
  readonly resolution: readonly [number, number];
}

/** Where a raster (or a window of it) lies on Earth. */
export interface Footprint {
  /** `EPSG:<code>` of `box`, when known. */
  readonly crs?: string;
  /** `[left, top, right, bottom]` in CRS units, y up. */
  readonly box: Box;
  /** `[west, north, east, south]` in degrees (a box around the projected corners). */
  readonly lonLatBox?: Box;
  /** Centre in degrees. */
  readonly center?: { readonly lon: number; readonly lat: number };
}

/** The CRS box of a pixel window `[x0, y0, width, height]` of a georeferenced raster. */
export function windowBox(geo: Georeference, x0: number, y0: number, width: number, height: number): Box {
  const [ox, oy] = geo.origin;
  const [dx, dy] = geo.resolution;
  const xa = ox + x0 * dx;
  const xb = ox + (x0 + width) * dx;
  const ya = oy + y0 * dy;
  const yb = oy + (y0 + height) * dy;
  return [Math.min(xa, xb), Math.max(ya, yb), Math.max(xa, xb), Math.min(ya, yb)];
}

/**
 * Footprint of a CRS box: the box itself, and for WGS84 UTM (EPSG:326xx/327xx) or EPSG:4326 its
 * lon/lat box and centre (computed with {@link utmToLonLat}).
 */
export function footprintOf(box: Box, crs: string | undefined): Footprint {
  const [l, t, r, b] = box;
  if (!crs) return { box };
  const zone = utmZoneFromEpsg(crs);
  if (zone) {
    const corners = [utmToLonLat(l, t, zone), utmToLonLat(r, t, zone), utmToLonLat(r, b, zone), utmToLonLat(l, b, zone)];
    const lons = corners.map((c) => c.lon);
    const lats = corners.map((c) => c.lat);
    const center = utmToLonLat((l + r) / 2, (t + b) / 2, zone);
    return {
      crs, box,
      lonLatBox: [Math.min(...lons), Math.max(...lats), Math.max(...lons), Math.min(...lats)],
      center,
    };
  }
  if (/^EPSG:4326$/i.test(crs)) {
    return { crs, box, lonLatBox: box, center: { lon: (l + r) / 2, lat: (t + b) / 2 } };
  }
  return { crs, box };
}

/** The lon/lat centre of a footprint, or a clear error naming `what` when the CRS is not supported. */
export function requireCenter(fp: Footprint, what: string): { lon: number; lat: number } {
  if (!fp.center) {
    throw new DatasetFormatError(
      `${what}: cannot place it on Earth: CRS ${fp.crs ?? '(none)'} is not WGS84 UTM (EPSG:326xx/327xx) or EPSG:4326. ` +
        'Reproject the file to UTM or EPSG:4326.',
    );
  }
  return fp.center;
}

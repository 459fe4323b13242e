import type { Box } from '@terramae/tensors';
import { DatasetFormatError } from '../errors';
import { haversineMetres, localEastNorth } from '../geo/distance';
import type { Footprint } from '../geo/footprint';
import { utmToLonLat, utmZoneFromEpsg } from '../geo/utm';
import { boxRelation } from './box';
import { makePair, type NeighborPair } from './tile-pairs';

/** A neighbour pair of georeferenced examples, with the distance between their centres. */
export interface GeoPair extends NeighborPair {
  /**
   * Distance between the footprint centres in metres: Euclidean in the CRS when both footprints
   * are in the same UTM zone (grid distance, exact for adjacent tiles), great-circle (haversine)
   * otherwise.
   */
  readonly distance: number;
}

/** Options of {@link geoPairs}. */
export interface GeoPairOptions {
  /** Pair examples whose centres are at most this many metres apart. */
  readonly maxDistance?: number;
  /** Pair examples whose footprints overlap (default true when `maxDistance` is not given). */
  readonly overlap?: boolean;
}

/**
 * Neighbour pairs among georeferenced footprints: centres within `maxDistance` metres (grid
 * distance within one UTM zone, haversine across CRSs) or overlapping footprints. Boxes are given in a shared metric frame per pair: the common UTM
 * CRS when both are in the same one (exact), otherwise a local east/north plane around the pair's
 * midpoint (from each footprint's projected corners).
 */
export function geoPairs(footprints: readonly Footprint[], options: GeoPairOptions = {}): GeoPair[] {
  const maxDistance = options.maxDistance;
  const overlap = options.overlap ?? maxDistance === undefined;
  const centers = footprints.map((fp, i) => {
    if (!fp.center) {
      throw new DatasetFormatError(
        `geoPairs: footprint ${i} (CRS ${fp.crs ?? 'none'}) has no lon/lat centre; pairing needs WGS84 UTM or EPSG:4326 footprints.`,
      );
    }
    return fp.center;
  });
  // sweep in latitude: candidates must be within the reach in the north-south direction
  const halfDiag = footprints.map((fp) => Math.hypot(fp.box[2] - fp.box[0], fp.box[1] - fp.box[3]) / 2);
  const maxHalf = Math.max(0, ...halfDiag.filter(Number.isFinite));
  const reachM = Math.max(maxDistance ?? 0, overlap ? 2 * maxHalf : 0);
  const reachDeg = reachM / 111000 + 1e-9;
  const order = centers.map((_, i) => i).sort((i, j) => (centers[i]?.lat as number) - (centers[j]?.lat as number));
  const pairs: GeoPair[] = [];
  for (let oi = 0; oi < order.length; oi++) {
    const i = order[oi] as number;
    const ci = centers[i] as { lon: number; lat: number };
    for (let oj = oi + 1; oj < order.length; oj++) {
      const j = order[oj] as number;
      const cj = centers[j] as { lon: number; lat: number };
      if (cj.lat - ci.lat > reachDeg * 1.01) break;
      const dh = haversineMetres(ci.lon, ci.lat, cj.lon, cj.lat);
      if (dh > reachM * 1.01 + 1e-6) continue;
      const [a, b] = i < j ? [i, j] : [j, i];
      const d = centreDistance(footprints[a] as Footprint, footprints[b] as Footprint, dh);
      const [boxA, boxB] = sharedFrame(footprints[a] as Footprint, footprints[b] as Footprint);
      const rel = boxRelation(boxA, boxB, 1e-6);
      const near = maxDistance !== undefined && d <= maxDistance;
      const overlapping = overlap && rel === 'overlap';
      if (!near && !overlapping) continue;
      pairs.push({ ...makePair(a, b, boxA, boxB, rel === 'disjoint' ? 'near' : rel), distance: d });
    }
  }
  return pairs.sort((p, q) => p.a - q.a || p.b - q.b);
}

function centreDistance(fa: Footprint, fb: Footprint, haversine: number): number {
  if (!(fa.crs && fa.crs === fb.crs && utmZoneFromEpsg(fa.crs))) return haversine;
  const dx = (fa.box[0] + fa.box[2]) / 2 - (fb.box[0] + fb.box[2]) / 2;
  const dy = (fa.box[1] + fa.box[3]) / 2 - (fb.box[1] + fb.box[3]) / 2;
  return Math.hypot(dx, dy);
}

/** Two footprints' boxes in one metric frame (see {@link geoPairs}). */
export function sharedFrame(fa: Footprint, fb: Footprint): [Box, Box] {
  if (fa.crs && fa.crs === fb.crs && utmZoneFromEpsg(fa.crs)) return [fa.box, fb.box];
  const ca = fa.center as { lon: number; lat: number };
  const cb = fb.center as { lon: number; lat: number };
  const origin = { lon: (ca.lon + cb.lon) / 2, lat: (ca.lat + cb.lat) / 2 };
  return [projectBox(fa, origin), projectBox(fb, origin)];
}

function projectBox(fp: Footprint, origin: { lon: number; lat: number }): Box {
  const [l, t, r, b] = fp.box;
  const zone = fp.crs ? utmZoneFromEpsg(fp.crs) : undefined;
  const corners: { lon: number; lat: number }[] = zone
    ? [utmToLonLat(l, t, zone), utmToLonLat(r, t, zone), utmToLonLat(r, b, zone), utmToLonLat(l, b, zone)]
    : [
        { lon: l, lat: t },
        { lon: r, lat: t },
        { lon: r, lat: b },
        { lon: l, lat: b },
      ];
  const en = corners.map((c) => localEastNorth(c.lon, c.lat, origin.lon, origin.lat));
  return [
    Math.min(...en.map((p) => p.east)),
    Math.max(...en.map((p) => p.north)),
    Math.max(...en.map((p) => p.east)),
    Math.min(...en.map((p) => p.north)),
  ];
}

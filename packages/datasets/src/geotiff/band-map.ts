import { DatasetFormatError } from '../errors';

/**
 * EuroSAT-MS band order as stored in its GeoTIFFs: B1..B12 then B8A last (13 bands, Sentinel-2
 * L1C digital numbers).
 */
export const EUROSAT_MS_BANDS = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8', 'B9', 'B10', 'B11', 'B12', 'B8A'] as const;

/**
 * Canonical Sentinel-2 band name: `B01` → `B1`, `b8a` → `B8A`, `B08` → `B8`. Other names are
 * returned trimmed and unchanged.
 */
export function canonicalBandName(name: string): string {
  const m = /^\s*[bB]0*(\d{1,2})([aA]?)\s*$/.exec(name);
  if (!m) return name.trim();
  return `B${Number(m[1])}${(m[2] ?? '').toUpperCase()}`;
}

/**
 * Indices into `source` of each band of `target`, matched by canonical name, so data stored in
 * one band order (EuroSAT: B8A last) are read in another (MMEarth: B8A before B8; B10 dropped by
 * leaving it out of `target`).
 * @param where - what the bands belong to, for the error message
 */
export function bandIndices(source: readonly string[], target: readonly string[], where = 'band map'): number[] {
  const canon = source.map(canonicalBandName);
  const seen = new Set<string>();
  for (const b of canon) {
    if (seen.has(b)) throw new DatasetFormatError(`${where}: band "${b}" appears twice in the source bands (${source.join(', ')}).`);
    seen.add(b);
  }
  return target.map((b) => {
    const i = canon.indexOf(canonicalBandName(b));
    if (i < 0) {
      throw new DatasetFormatError(`${where}: band "${b}" is not among the source bands (${source.join(', ')}).`);
    }
    return i;
  });
}

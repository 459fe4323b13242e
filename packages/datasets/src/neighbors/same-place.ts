import { haversineMetres } from '../geo/distance';

/** Something at a place and, optionally, a time. */
export interface PlacedItem {
  /** Centre in degrees. */
  readonly center: { readonly lon: number; readonly lat: number };
  /** Acquisition date (ISO `YYYY-MM-DD…`), used to order a group. */
  readonly date?: string;
}

/**
 * Groups of items at the same place (centres within `toleranceMetres`, default 30 m, linked
 * transitively): several dates of one site, as NeighborMAE's revisit pairs. Each group lists item
 * positions ordered by date; groups of one item are left out unless `keepSingles`.
 */
export function samePlaceGroups(
  items: readonly PlacedItem[],
  options: { toleranceMetres?: number; keepSingles?: boolean } = {},
): number[][] {
  const tol = options.toleranceMetres ?? 30;
  const parent = items.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i] as number] as number;
      i = parent[i] as number;
    }
    return i;
  };
  const order = items.map((_, i) => i).sort((i, j) => (items[i]?.center.lat as number) - (items[j]?.center.lat as number));
  const tolDeg = tol / 111000 + 1e-12;
  for (let oi = 0; oi < order.length; oi++) {
    const i = order[oi] as number;
    const ci = (items[i] as PlacedItem).center;
    for (let oj = oi + 1; oj < order.length; oj++) {
      const j = order[oj] as number;
      const cj = (items[j] as PlacedItem).center;
      if (cj.lat - ci.lat > tolDeg * 1.01) break;
      if (haversineMetres(ci.lon, ci.lat, cj.lon, cj.lat) <= tol) parent[find(i)] = find(j);
    }
  }
  const groups = new Map<number, number[]>();
  items.forEach((_, i) => {
    const root = find(i);
    const g = groups.get(root) ?? [];
    g.push(i);
    groups.set(root, g);
  });
  const byDate = (i: number, j: number) => (items[i]?.date ?? '').localeCompare(items[j]?.date ?? '') || i - j;
  return [...groups.values()]
    .filter((g) => options.keepSingles || g.length > 1)
    .map((g) => g.sort(byDate))
    .sort((g, h) => (g[0] as number) - (h[0] as number));
}

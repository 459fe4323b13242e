import type { Box } from '@terramae/tensors';
import { boxIoU, boxRelation, relativeBoxes, type BoxRelation } from './box';

/** Two examples that are spatial neighbours, with their footprints in a frame they share. */
export interface NeighborPair {
  /** Positions of the two examples in their source (anchor first). */
  readonly a: number;
  readonly b: number;
  /**
   * Footprints `[left, top, right, bottom]` (y up) of `a` and `b` in a metric frame whose origin
   * is the lower-left corner of their union (metres when the inputs are metric).
   */
  readonly boxes: readonly [Box, Box];
  /** How the footprints meet. */
  readonly relation: Exclude<BoxRelation, 'disjoint'> | 'near';
  /** Intersection over union of the footprints. */
  readonly iou: number;
  /** Displacement of `b`'s lower-left corner from `a`'s, `[dx, dy]` (y up). */
  readonly offset: readonly [number, number];
}

/** Which contacts count as neighbours: `overlap` only, also shared `edge`s (default), also `corner`s. */
export type ContactLevel = 'overlap' | 'edge' | 'corner';

const RANK: Record<BoxRelation, number> = { overlap: 0, edge: 1, corner: 2, disjoint: 3 };

/**
 * Neighbour pairs among boxes in one frame (e.g. the tiles of a scene): every unordered pair
 * whose footprints overlap or touch, with exact relative boxes. Sweep over sorted left edges.
 * @param items - The boxes (anything with a `box`); pair indices refer to positions in this list.
 * @param options - `contact`: which contacts count (default `edge`); `tolerance`: slack for
 *   touching edges in box units (default 1e-6).
 */
export function tilePairs(
  items: readonly { readonly box: Box }[],
  options: { contact?: ContactLevel; tolerance?: number } = {},
): NeighborPair[] {
  const maxRank = RANK[options.contact ?? 'edge'];
  const tol = options.tolerance ?? 1e-6;
  const order = items.map((_, i) => i).sort((i, j) => (items[i] as { box: Box }).box[0] - (items[j] as { box: Box }).box[0]);
  const pairs: NeighborPair[] = [];
  for (let oi = 0; oi < order.length; oi++) {
    const i = order[oi] as number;
    const bi = (items[i] as { box: Box }).box;
    for (let oj = oi + 1; oj < order.length; oj++) {
      const j = order[oj] as number;
      const bj = (items[j] as { box: Box }).box;
      if (bj[0] > bi[2] + tol) break;
      const rel = boxRelation(bi, bj, tol);
      if (RANK[rel] > maxRank) continue;
      const [a, b] = i < j ? [i, j] : [j, i];
      pairs.push(makePair(a, b, (items[a] as { box: Box }).box, (items[b] as { box: Box }).box, rel as Exclude<BoxRelation, 'disjoint'>));
    }
  }
  return pairs.sort((p, q) => p.a - q.a || p.b - q.b);
}

/** Build a pair from two boxes in a shared frame. */
export function makePair(a: number, b: number, boxA: Box, boxB: Box, relation: NeighborPair['relation']): NeighborPair {
  const [ra, rb] = relativeBoxes([boxA, boxB]) as [Box, Box];
  return { a, b, boxes: [ra, rb], relation, iou: boxIoU(boxA, boxB), offset: [boxB[0] - boxA[0], boxB[3] - boxA[3]] };
}

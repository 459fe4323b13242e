import type { Box } from '@terramae/tensors';

/** Width of a box (`right - left`). */
export function boxWidth(b: Box): number {
  return b[2] - b[0];
}

/** Height of a box (`top - bottom`, y up). */
export function boxHeight(b: Box): number {
  return b[1] - b[3];
}

/** Area of a box (0 for degenerate boxes). */
export function boxArea(b: Box): number {
  return Math.max(0, boxWidth(b)) * Math.max(0, boxHeight(b));
}

/** Intersection of two boxes, or `undefined` when they do not overlap with positive area. */
export function boxIntersection(a: Box, b: Box): Box | undefined {
  const l = Math.max(a[0], b[0]);
  const r = Math.min(a[2], b[2]);
  const t = Math.min(a[1], b[1]);
  const bo = Math.max(a[3], b[3]);
  return r > l && t > bo ? [l, t, r, bo] : undefined;
}

/** Intersection over union of two boxes (0 when disjoint). */
export function boxIoU(a: Box, b: Box): number {
  const i = boxIntersection(a, b);
  if (!i) return 0;
  const inter = boxArea(i);
  return inter / (boxArea(a) + boxArea(b) - inter);
}

/** The smallest box containing all boxes. */
export function boxUnion(boxes: readonly Box[]): Box {
  let l = Number.POSITIVE_INFINITY;
  let t = Number.NEGATIVE_INFINITY;
  let r = Number.NEGATIVE_INFINITY;
  let b = Number.POSITIVE_INFINITY;
  for (const x of boxes) {
    l = Math.min(l, x[0]);
    t = Math.max(t, x[1]);
    r = Math.max(r, x[2]);
    b = Math.min(b, x[3]);
  }
  return [l, t, r, b];
}

/** How two boxes meet. */
export type BoxRelation = 'overlap' | 'edge' | 'corner' | 'disjoint';

/**
 * Whether two boxes overlap (positive area), share an edge segment of positive length, touch at a
 * corner only, or are disjoint; `tolerance` absorbs rounding in CRS coordinates.
 */
export function boxRelation(a: Box, b: Box, tolerance = 1e-6): BoxRelation {
  const dx = Math.min(a[2], b[2]) - Math.max(a[0], b[0]); // x overlap length
  const dy = Math.min(a[1], b[1]) - Math.max(a[3], b[3]); // y overlap length
  if (dx > tolerance && dy > tolerance) return 'overlap';
  if (dx < -tolerance || dy < -tolerance) return 'disjoint';
  if (dx > tolerance || dy > tolerance) return 'edge';
  return 'corner';
}

/** Boxes shifted so that their union starts at (0, 0) (left = 0, bottom = 0): exact relative geometry. */
export function relativeBoxes(boxes: readonly Box[]): Box[] {
  const u = boxUnion(boxes);
  return boxes.map((b) => [b[0] - u[0], b[1] - u[3], b[2] - u[0], b[3] - u[3]]);
}

/**
 * The footprint of a pixel window of an image whose footprint is `box`: `rect` is
 * `[x0, y0, width, height]` in pixels (y down) of an image `imageWidth` x `imageHeight`.
 */
export function cropBox(box: Box, imageWidth: number, imageHeight: number, rect: readonly [number, number, number, number]): Box {
  const [l, t, r, b] = box;
  const [x0, y0, w, h] = rect;
  const sx = (r - l) / imageWidth;
  const sy = (t - b) / imageHeight;
  return [l + x0 * sx, t - y0 * sy, l + (x0 + w) * sx, t - (y0 + h) * sy];
}

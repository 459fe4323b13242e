import type { Box } from '@terramae/tensors';

/**
 * Intersection over union of two footprint boxes `[left, top, right, bottom]` (y up). Computed in
 * float32 steps, as the reference computes it on float32 tensors.
 */
export function boxIoU(a: Box, b: Box): number {
  const f = Math.fround;
  const w = Math.max(0, f(Math.min(a[2], b[2]) - Math.max(a[0], b[0])));
  const h = Math.max(0, f(Math.min(a[1], b[1]) - Math.max(a[3], b[3])));
  const inter = f(w * h);
  const areaA = f(f(a[2] - a[0]) * f(a[1] - a[3]));
  const areaB = f(f(b[2] - b[0]) * f(b[1] - b[3]));
  const union = f(f(areaA + areaB) - inter);
  return union > 0 ? f(inter / union) : 0;
}

/** For each box, the mean IoU with every other box of its group (`IoU_k = mean_{j≠k} IoU(box_k, box_j)`); 0 for a lone box. */
export function meanIoUs(boxes: readonly Box[]): number[] {
  const n = boxes.length;
  return boxes.map((bk, k) => {
    if (n < 2) return 0;
    let sum = 0;
    for (let j = 0; j < n; j++) if (j !== k) sum = Math.fround(sum + boxIoU(bk, boxes[j] as Box));
    return Math.fround(sum / (n - 1));
  });
}

import { alignedCropTransform, cropSample, isMultiView, randomResizedCropTransform, type Transform } from '@terramae/datasets';
import type { Sample } from '@terramae/tensors';

/** The largest pixel grid of a sample, `[height, width]`. */
function gridOf(sample: Sample): [number, number] | undefined {
  const pixel = Object.values(sample.modalities).find((a) => a.shape.length === 3);
  return pixel ? [pixel.shape[0] as number, pixel.shape[1] as number] : undefined;
}

/**
 * Deterministic evaluation crop: the central `size × size` window of every pixel modality (no
 * resize), the box following it; tiles already `size` wide pass through.
 */
export function centerCropTransform(size: number): Transform {
  const crop = (s: Sample): Sample => {
    const grid = gridOf(s);
    if (!grid || (grid[0] === size && grid[1] === size)) return s;
    const [h, w] = grid;
    if (h < size || w < size) return cropSample(s, [0, 0, w, h], size, size, 'bilinear');
    const y0 = Math.floor((h - size) / 2);
    const x0 = Math.floor((w - size) / 2);
    return cropSample(s, [x0, y0, size, size], size, size);
  };
  return (sample) => (isMultiView(sample) ? { ...sample, views: sample.views.map(crop) } : crop(sample));
}

/**
 * The training augmentation of a recipe: MMEarth's aligned random crop for one view (64 → 56),
 * NeighborMAE's random-resized crop of each view for neighbour pairs (no flips; boxes tracked).
 * Two-crop pairs are already cropped by their source.
 */
export function trainTransforms(size: number, views: number, cropPairs: boolean): Transform[] {
  if (views === 1) return [alignedCropTransform(size)];
  return cropPairs ? [] : [randomResizedCropTransform({ size })];
}

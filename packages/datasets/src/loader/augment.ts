import type { Box, Rng, Sample, SampleArray } from '@terramae/tensors';
import { DatasetFormatError } from '../errors';
import { cropBox } from '../neighbors/box';
import { resampleHwc, type PixelRect, type ResampleMethod } from '../util/resample';
import { isMultiView, type AnySample, type MultiViewSample } from './source';

/** A per-example augmentation: gets the example and a generator seeded for it. */
export type Transform = (sample: AnySample, rng: Rng) => AnySample;

function pixelSize(sample: Sample): { height: number; width: number } | undefined {
  let size: { height: number; width: number } | undefined;
  for (const [name, arr] of Object.entries(sample.modalities)) {
    if (arr.shape.length !== 3) continue;
    const [h, w] = arr.shape as [number, number, number];
    if (!size) size = { height: h, width: w };
    else if (size.height !== h || size.width !== w) {
      throw new DatasetFormatError(
        `sample ${sample.index}: pixel modality "${name}" is ${h} x ${w}, others ${size.height} x ${size.width}; aligned crops need one grid.`,
      );
    }
  }
  return size;
}

/**
 * Crop the window `rect` (pixels, fractional allowed) out of every pixel modality of a sample and
 * resize it to `outH x outW` (continuous: `method`; categorical int maps: nearest). The footprint
 * `box` follows the crop exactly. Image-level modalities pass through.
 */
export function cropSample(sample: Sample, rect: PixelRect, outH: number, outW: number, method: ResampleMethod = 'bilinear'): Sample {
  const size = pixelSize(sample);
  if (!size) return sample;
  const integral = rect.every((v) => Number.isInteger(v)) && rect[2] === outW && rect[3] === outH;
  const modalities: Record<string, SampleArray> = {};
  for (const [name, arr] of Object.entries(sample.modalities)) {
    if (arr.shape.length !== 3) {
      modalities[name] = arr;
      continue;
    }
    const C = arr.shape[2] as number;
    const data = integral
      ? copyWindow(arr.data, size.width, C, rect[0], rect[1], outW, outH)
      : resampleHwc(arr.data, size.height, size.width, C, outH, outW, arr.data instanceof Int32Array ? 'nearest' : method, rect);
    modalities[name] = { data, shape: [outH, outW, C] };
  }
  const out: Sample = { ...sample, modalities };
  return sample.box ? { ...out, box: cropBox(sample.box, size.width, size.height, rect) } : out;
}

function copyWindow<T extends Float32Array | Int32Array>(src: T, width: number, C: number, x0: number, y0: number, w: number, h: number): T {
  const out = new (src.constructor as new (n: number) => T)(w * h * C);
  for (let r = 0; r < h; r++) {
    const s = ((y0 + r) * width + x0) * C;
    out.set(src.subarray(s, s + w * C), r * w * C);
  }
  return out;
}

/**
 * MMEarth's augmentation: one random `size x size` crop per sample, at the same offset for every
 * pixel modality (64 → 56, 128 → 112), no resize, no flip. The box follows the crop.
 */
export function alignedRandomCrop(sample: Sample, size: number, rng: Rng): Sample {
  const grid = pixelSize(sample);
  if (!grid) return sample;
  if (size > grid.height || size > grid.width) {
    throw new DatasetFormatError(`sample ${sample.index}: crop size ${size} exceeds the ${grid.height} x ${grid.width} tile.`);
  }
  const y0 = rng.int(grid.height - size + 1);
  const x0 = rng.int(grid.width - size + 1);
  return cropSample(sample, [x0, y0, size, size], size, size);
}

/** Options of {@link randomResizedCrop} (defaults: NeighborMAE's). */
export interface ResizedCropOptions {
  /** Output size, square or `[height, width]`. */
  readonly size: number | readonly [number, number];
  /** Area fraction range relative to h² (default [0.2, 1]). */
  readonly scale?: readonly [number, number];
  /** Aspect ratio (w/h) range, sampled log-uniformly (default [3/4, 4/3]). */
  readonly ratio?: readonly [number, number];
  /** Interpolation of continuous modalities (default bicubic, antialiased). */
  readonly method?: ResampleMethod;
}

/**
 * NeighborMAE's random-resized-crop window for an `h x w` image: area fraction s ~ U(scale)
 * relative to h², aspect a = exp(U(log ratio)), crop height min(√s·h, w/a, h), width = height·a,
 * position uniform. Returns `[x0, y0, width, height]` in pixels (fractional).
 */
export function randomResizedCropRect(rng: Rng, height: number, width: number, options: Omit<ResizedCropOptions, 'size' | 'method'> = {}): PixelRect {
  const [s0, s1] = options.scale ?? [0.2, 1];
  const [r0, r1] = options.ratio ?? [3 / 4, 4 / 3];
  const s = rng.uniformRange(s0, s1);
  const a = Math.exp(rng.uniformRange(Math.log(r0), Math.log(r1)));
  const hc = Math.min(Math.sqrt(s) * height, width / a, height);
  const wc = Math.min(hc * a, width);
  const u = rng.uniform();
  const v = rng.uniform();
  return [(width - wc) * u, (height - hc) * v, wc, hc];
}

/** One NeighborMAE random-resized crop of a sample (no flip), box tracked through the crop. */
export function randomResizedCrop(sample: Sample, rng: Rng, options: ResizedCropOptions): Sample {
  const grid = pixelSize(sample);
  if (!grid) return sample;
  const [outH, outW] = typeof options.size === 'number' ? [options.size, options.size] : options.size;
  const rect = randomResizedCropRect(rng, grid.height, grid.width, options);
  return cropSample(sample, rect, outH, outW, options.method ?? 'bicubic');
}

/** Apply a single-view augmentation to every view of a multi-view example (independent draws). */
export function perView(fn: (view: Sample, rng: Rng) => Sample): Transform {
  return (sample, rng) =>
    isMultiView(sample) ? ({ ...sample, views: sample.views.map((v) => fn(v, rng)) } as MultiViewSample) : fn(sample, rng);
}

/** Loader transform: {@link alignedRandomCrop} (per view for multi-view examples). */
export function alignedCropTransform(size: number): Transform {
  return perView((s, rng) => alignedRandomCrop(s, size, rng));
}

/** Loader transform: {@link randomResizedCrop} of every view independently, boxes tracked. */
export function randomResizedCropTransform(options: ResizedCropOptions): Transform {
  return perView((s, rng) => randomResizedCrop(s, rng, options));
}

/**
 * The frame NeighborMAE gives one image: its footprint in its own pixel grid divided by its
 * height, `[0, 1, w/h, 0]` (x right, y up).
 */
export function imageFrameBox(height: number, width: number): Box {
  return [0, 1, width / height, 0];
}

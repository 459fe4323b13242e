import * as tf from '@tensorflow/tfjs';

/** Source cell of each output row/column for nearest upsampling (`floor(i·in/out)`, PyTorch `interpolate(mode='nearest')`; block repeat when `out` is a multiple of `in`). */
export function nearestIndex(inSize: number, outSize: number): Int32Array {
  const ids = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) ids[i] = Math.min(inSize - 1, Math.floor((i * inSize) / outSize));
  return ids;
}

function checkGrid(what: string, length: number, grid: readonly [number, number], size: readonly [number, number]): void {
  if (grid[0] * grid[1] !== length) throw new RangeError(`${what}: mask has ${length} cells per image, grid ${grid[0]}×${grid[1]} has ${grid[0] * grid[1]}`);
  if (!(size[0] >= 1 && size[1] >= 1)) throw new RangeError(`${what}: output size must be positive, got ${size[0]}×${size[1]}`);
}

/**
 * Upsample a grid mask `[count, h·w]` (1 = hidden) to an NHWC map `[count, H, W, 1]` by nearest
 * neighbour (block repeat when H, W are multiples of h, w): the FCMAE pixel mask at the input
 * resolution, or at any feature resolution of the encoder.
 */
export function upsampleMask(mask: tf.Tensor2D, grid: readonly [number, number], size: readonly [number, number]): tf.Tensor4D {
  const [n, l] = mask.shape;
  checkGrid('upsampleMask', l, grid, size);
  return tf.tidy(() => {
    const g = mask.reshape([n, grid[0], grid[1], 1]);
    const rows = tf.gather(g, tf.tensor1d(nearestIndex(grid[0], size[0]), 'int32'), 1);
    return tf.gather(rows, tf.tensor1d(nearestIndex(grid[1], size[1]), 'int32'), 2) as tf.Tensor4D;
  });
}

/** `1 − upsampleMask(...)`: `[count, H, W, 1]` with 1 at visible positions (what masked convolutions multiply by). */
export function visibilityMap(mask: tf.Tensor2D, grid: readonly [number, number], size: readonly [number, number]): tf.Tensor4D {
  return tf.tidy(() => tf.sub(1, upsampleMask(mask, grid, size)) as tf.Tensor4D);
}

/**
 * Host version of {@link visibilityMap} from {@link MaskSample.maskValues}: `count·H·W` values
 * (NHWC with one channel), 1 = visible. No tensors, no readback.
 */
export function visibilityValues(maskValues: Uint8Array, count: number, grid: readonly [number, number], size: readonly [number, number]): Float32Array {
  checkGrid('visibilityValues', maskValues.length / count, grid, size);
  const [hh, ww] = size;
  const ri = nearestIndex(grid[0], hh);
  const ci = nearestIndex(grid[1], ww);
  const l = grid[0] * grid[1];
  const out = new Float32Array(count * hh * ww);
  for (let b = 0; b < count; b++) {
    for (let i = 0; i < hh; i++) {
      for (let j = 0; j < ww; j++) out[(b * hh + i) * ww + j] = maskValues[b * l + (ri[i] as number) * grid[1] + (ci[j] as number)] ? 0 : 1;
    }
  }
  return out;
}

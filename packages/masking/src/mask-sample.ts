import * as tf from '@tensorflow/tfjs';
import type { MaskSample } from './types';

/**
 * Build a {@link MaskSample} from host shuffle indices and per-image keep counts: the first
 * `keep[i]` shuffled patches of image `i` are visible, `mask` is 1 at the others (in the original
 * patch order), `idsKeep` holds the first `K = max(keep)` shuffled indices, and `keyMask` marks
 * kept slots at or beyond an image's own keep count (present only when keep counts differ from K).
 *
 * @param grid the patch grid `[h, w]`; `L = h·w`.
 * @param idsShuffle `count × L` row-major permutation rows.
 * @param idsRestore `count × L` row-major inverse permutations.
 * @param keep visible patches per image (`count` entries).
 * @param encoderLength `K`, the number of kept slots (default `max(keep)`); must be ≥ every keep.
 */
export function buildMaskSample(
  grid: readonly [number, number],
  idsShuffle: Int32Array,
  idsRestore: Int32Array,
  keep: readonly number[],
  encoderLength?: number,
): MaskSample {
  const count = keep.length;
  const l = grid[0] * grid[1];
  const k = encoderLength ?? Math.max(...keep);
  if (keep.some((kr) => !Number.isInteger(kr) || kr < 0 || kr > k || kr > l)) {
    throw new RangeError(`buildMaskSample: keep counts [${keep.join(', ')}] must be integers in [0, min(K=${k}, L=${l})]`);
  }
  const maskValues = new Uint8Array(count * l);
  const idsKeep = new Int32Array(count * k);
  const keyMask = new Float32Array(count * k);
  let needKeyMask = false;
  for (let r = 0; r < count; r++) {
    const kr = keep[r] as number;
    for (let i = 0; i < l; i++) {
      // rank of patch i in the shuffle is idsRestore[i]
      maskValues[r * l + i] = (idsRestore[r * l + i] as number) >= kr ? 1 : 0;
    }
    for (let j = 0; j < k; j++) {
      idsKeep[r * k + j] = idsShuffle[r * l + j] as number;
      if (j >= kr) {
        keyMask[r * k + j] = 1;
        needKeyMask = true;
      }
    }
  }
  return {
    mask: tf.tensor2d(Float32Array.from(maskValues), [count, l], 'float32'),
    idsShuffle: tf.tensor2d(idsShuffle, [count, l], 'int32'),
    idsRestore: tf.tensor2d(idsRestore, [count, l], 'int32'),
    idsKeep: tf.tensor2d(idsKeep, [count, k], 'int32'),
    ...(needKeyMask ? { keyMask: tf.tensor2d(keyMask, [count, k], 'float32') } : {}),
    keep: [...keep],
    maskValues,
    grid: [grid[0], grid[1]],
  };
}

import * as tf from '@tensorflow/tfjs';
import { OpArgumentError } from './errors';

/**
 * Cut an NHWC image into non-overlapping `p × p` patches, in the reference order of MAE, FCMAE and
 * NeighborMAE: patches row-major over the grid, and inside a patch `(row, col, channel)` with the
 * channel fastest. `[N, H, W, C] → [N, (H/p)·(W/p), p·p·C]`.
 */
export function patchify(x: tf.Tensor4D, p: number): tf.Tensor3D {
  const [n, hh, ww, c] = x.shape;
  if (hh % p !== 0 || ww % p !== 0) {
    throw new OpArgumentError(`patchify: image ${hh}×${ww} is not divisible by patch size ${p}`);
  }
  const h = hh / p;
  const w = ww / p;
  // The same permutation as [n,h,p,w,p,c] → [n,h,w,p,p,c], written as a rank-4 transpose of
  // [n·h, p, w, p·c]: rank-5/6 transposes are ~50× slower on the wasm backend.
  return tf.tidy(() => x.reshape([n * h, p, w, p * c]).transpose([0, 2, 1, 3]).reshape([n, h * w, p * p * c]));
}

/** Inverse of {@link patchify}: `[N, h·w, p·p·C] → [N, h·p, w·p, C]`. */
export function unpatchify(x: tf.Tensor3D, p: number, grid: readonly [number, number], channels: number): tf.Tensor4D {
  const [n, l, d] = x.shape;
  const [h, w] = grid;
  if (l !== h * w || d !== p * p * channels) {
    throw new OpArgumentError(`unpatchify: got [${x.shape}], expected [N, ${h * w}, ${p * p * channels}] for grid ${h}×${w}, patch ${p}, ${channels} channels`);
  }
  // Rank-4 form of [n,h,w,p,p,c] → [n,h,p,w,p,c] (see patchify).
  return tf.tidy(() => x.reshape([n * h, w, p, p * channels]).transpose([0, 2, 1, 3]).reshape([n, h * p, w * p, channels]));
}

import type * as tf from '@tensorflow/tfjs';
import type { Box, Rng } from '@terramae/tensors';

/** What a masking strategy is asked for. */
export interface MaskRequest {
  /** Number of images to mask (for multi-view input: samples × views, view-major inside a sample). */
  readonly count: number;
  /** The patch grid `[h, w]` the mask lives on. */
  readonly grid: readonly [number, number];
  /** Views per sample (1 unless neighbour pairs). */
  readonly views?: number;
  /** Host-side footprint boxes `[samples][views]`, for strategies that depend on overlap. */
  readonly boxes?: readonly (readonly Box[])[];
  /** The seeded generator every draw comes from. */
  readonly rng: Rng;
  /**
   * Noise to use instead of drawing (`count × h·w` values, row-major), so tests can reuse a
   * reference implementation's draws exactly.
   */
  readonly noise?: Float32Array;
}

/**
 * A sampled mask. All tensors are new; the caller disposes them with {@link disposeMask}.
 *
 * Conventions follow MAE: `idsShuffle = argsort(noise)` ascending, `idsRestore = argsort(idsShuffle)`,
 * the first `keep` shuffled patches are visible, `mask` is 1 at hidden patches in the original
 * (unshuffled) order.
 */
export interface MaskSample {
  /** `[count, L]` float32, 1 = hidden. */
  readonly mask: tf.Tensor2D;
  /** `[count, L]` int32. */
  readonly idsShuffle: tf.Tensor2D;
  /** `[count, L]` int32. */
  readonly idsRestore: tf.Tensor2D;
  /** `[count, K]` int32, the first `K` entries of `idsShuffle` (K = max keep over the batch). */
  readonly idsKeep: tf.Tensor2D;
  /** `[count, K]` float32, 1 = the token at that kept slot is disabled (its keep count is below K). Absent when every image keeps K. */
  readonly keyMask?: tf.Tensor2D;
  /** Visible patches per image. */
  readonly keep: readonly number[];
  /** Host copy of `mask` (row-major), for building pixel masks and logs without a readback. */
  readonly maskValues: Uint8Array;
  /** The grid the mask lives on. */
  readonly grid: readonly [number, number];
}

/** Whether the views of a multi-view sample share one mask or draw their own. */
export type ViewMasking = 'independent' | 'shared';

/** What a strategy can check before any tensor exists (recipe validation). */
export interface MaskingCheckContext {
  /** The patch grid the encoder produces for the input size. */
  readonly grid: readonly [number, number];
  /** Views per sample. */
  readonly views: number;
  /** Whether the batches will carry footprint boxes (`Batch.boxValues`). */
  readonly hasBoxes: boolean;
}

/** A masking strategy: a pure function of its request (and the generator's state). */
export interface MaskingStrategy {
  /** Registry name, e.g. `random`, `neighbor-adaptive`. */
  readonly name: string;
  /** The resolved options (defaults filled in), plain serialisable data. */
  readonly options: Readonly<Record<string, unknown>>;
  /**
   * The grid the strategy masks on: `'encoder'` (the backbone's patch/output grid for the input
   * size, the usual case) or a fixed `[h, w]` that every request must use.
   */
  readonly grid: 'encoder' | readonly [number, number];
  /** Number of kept slots `K` (the encoder's token count per image) for a grid. */
  encoderLength(grid: readonly [number, number]): number;
  /** Problems with using this strategy for the given setting (empty when it fits); no tensors. */
  check(context: MaskingCheckContext): string[];
  /** Sample a mask. Throws a typed error naming the option when the request does not fit. */
  sample(request: MaskRequest): MaskSample;
}

/** Dispose every tensor of a mask sample. */
export function disposeMask(m: MaskSample): void {
  m.mask.dispose();
  m.idsShuffle.dispose();
  m.idsRestore.dispose();
  m.idsKeep.dispose();
  m.keyMask?.dispose();
}

import type * as tf from '@tensorflow/tfjs';
import type { ModalitySpec } from './modality';

/**
 * A footprint box in a shared metric or normalised frame: `[left, top, right, bottom]` with
 * y pointing up (`top > bottom`), as NeighborMAE uses.
 */
export type Box = readonly [left: number, top: number, right: number, bottom: number];

/**
 * One sample as a dataset yields it, before collation. Pixel arrays are HWC, row-major.
 * Categorical maps hold class indices after remap, `ignoreIndex` where missing.
 */
export interface Sample {
  /** Position of the sample in its source, for error messages and resumable loaders. */
  readonly index: number;
  /** Stable identifier (tile id, file path). */
  readonly id?: string;
  /** Modality name → values. `shape` is HWC for pixel level, `[C]` for image level. */
  readonly modalities: Readonly<Record<string, SampleArray>>;
  /** Footprint of the sample in a shared frame (for neighbour tasks). */
  readonly box?: Box;
  /** Free-form metadata (label, CRS, date, S2 product type). */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** A typed array with its shape. */
export interface SampleArray {
  readonly data: Float32Array | Int32Array;
  readonly shape: readonly number[];
}

/**
 * A collated batch, the contract between datasets and pretext tasks.
 *
 * - `views = 1`: every pixel modality is `[B, H, W, C]` float32 (categorical: `[B, H, W]` int32),
 *   every image modality `[B, C]` float32 (categorical: `[B]` int32).
 * - `views = V > 1` (neighbour pairs): pixel modalities are `[B*V, H, W, C]`, view-major inside a
 *   sample (sample 0 view 0, sample 0 view 1, sample 1 view 0, …), and `boxes` is `[B, V, 4]`.
 */
export interface Batch {
  /** Number of samples (pairs count as one sample). */
  readonly size: number;
  /** Views per sample (1, or 2 for neighbour pairs). */
  readonly views: number;
  /** Modality name → tensor. */
  readonly modalities: Readonly<Record<string, tf.Tensor>>;
  /** Specs of the modalities present, by name. */
  readonly specs: Readonly<Record<string, ModalitySpec>>;
  /** Footprint boxes `[B, V, 4]` (left, top, right, bottom; y up) when the data has them. */
  readonly boxes?: tf.Tensor3D;
  /**
   * The same boxes as plain numbers (`[B][V]`), so host-side work such as choosing NeighborMAE's
   * per-sample mask ratio from IoU never reads a tensor back.
   */
  readonly boxValues?: readonly (readonly Box[])[];
  /** Integer labels `[B]` for downstream evaluation, when the data has them. */
  readonly labels?: tf.Tensor1D;
  /** Indices of the samples in their source. */
  readonly indices: readonly number[];
}

/** Dispose every tensor a batch holds. */
export function disposeBatch(batch: Batch): void {
  for (const t of Object.values(batch.modalities)) t.dispose();
  batch.boxes?.dispose();
  batch.labels?.dispose();
}

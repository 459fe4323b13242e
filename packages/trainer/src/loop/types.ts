import type * as tf from '@tensorflow/tfjs';
import type { MaskSample } from '@terramae/masking';
import type { Batch, Module, Rng } from '@terramae/tensors';

/**
 * What the trainer needs from a pretraining model (`buildPretrainingModel` in
 * `@terramae/pretext` returns one): a Module whose loss is a pure function of a batch and a mask.
 */
export interface TrainableModel extends Module {
  /** Draw this step's mask on the host (no tensor readback). */
  sampleMask(batch: Batch, rng: Rng): MaskSample;
  /** Total and per-task losses; called inside the gradient tape. */
  computeLoss(batch: Batch, mask: MaskSample): { total: tf.Scalar; perTask: Readonly<Record<string, tf.Scalar>>; logs?: Readonly<Record<string, tf.Scalar>> };
  /** Pooled encoder features `[B, D]` of a batch's input (unmasked), for embedding-health metrics and probes. */
  embed?(batch: Batch): tf.Tensor2D;
}

/** A resumable stream of batches (the loaders of `@terramae/datasets` implement it). */
export interface BatchStream {
  /** The next batch; the trainer disposes it after the step. */
  next(): Promise<Batch>;
  /** Exact position, for checkpoints. */
  state(): unknown;
  /** Continue from a position saved by {@link BatchStream.state}. */
  restore(state: unknown): void;
  /** Batches per epoch, when known (for the schedule and ETA). */
  readonly batchesPerEpoch?: number;
}

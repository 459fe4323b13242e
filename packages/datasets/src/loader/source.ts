import type { ModalitySpec, Rng, Sample } from '@terramae/tensors';

/**
 * Several views of one training example (neighbour pairs, same-place groups, two crops of one
 * image). Each view is a {@link Sample} with its own footprint `box` in a frame shared by the
 * views; collation puts views view-major into `[B*V, …]` tensors and the boxes into `[B, V, 4]`.
 */
export interface MultiViewSample {
  /** Index of the example in its source. */
  readonly index: number;
  /** Stable identifier. */
  readonly id?: string;
  /** The views, anchor first. */
  readonly views: readonly Sample[];
  /** Free-form metadata of the example (`label` becomes `Batch.labels`). */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** A single-view or multi-view example. */
export type AnySample = Sample | MultiViewSample;

/** Whether an example has several views. */
export function isMultiView(sample: AnySample): sample is MultiViewSample {
  return Array.isArray((sample as MultiViewSample).views);
}

/**
 * Randomness a loader hands to a source for one example: a generator seeded from the loader's
 * seed, the epoch and the example's place in the epoch, so results are reproducible and
 * resumable. Sources that draw nothing ignore it.
 */
export interface SourceContext {
  readonly rng: Rng;
  readonly epoch: number;
}

/**
 * What loaders read from: a fixed number of examples with random access. Every dataset in this
 * package implements it (MMEarth HDF5, synthetic Earth, GeoTIFF folders, scene tiles, pairs).
 */
export interface SampleSource<S extends AnySample = AnySample> {
  /** Number of examples. */
  readonly length: number;
  /** Specs of the modalities every example carries. */
  readonly specs: Readonly<Record<string, ModalitySpec>>;
  /** Views per example (1 unless the source yields {@link MultiViewSample}s). */
  readonly views: number;
  /** Example at `position` (0 ≤ position < length). May throw a `BadSampleError`. */
  get(position: number, context?: SourceContext): Promise<S>;
  /** Where the example at `position` comes from, for messages (file, sample index). */
  describe?(position: number): string;
}

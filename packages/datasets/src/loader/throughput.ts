import { disposeBatch } from '@terramae/tensors';
import { DataLoader, type DataLoaderOptions } from './data-loader';
import type { SampleSource } from './source';

/** Options of {@link measureLoaderThroughput}. */
export interface ThroughputOptions extends Partial<DataLoaderOptions> {
  /** Batches to time (default 20, or one epoch if shorter). */
  readonly batches?: number;
  /** Batches read first and not timed (default 2). */
  readonly warmup?: number;
}

/** Result of {@link measureLoaderThroughput}. */
export interface ThroughputResult {
  /** Examples per second over the timed batches (a pair counts as one example). */
  readonly samplesPerSecond: number;
  readonly batchesPerSecond: number;
  /** Examples and batches timed, and the wall time in seconds. */
  readonly samples: number;
  readonly batches: number;
  readonly seconds: number;
  /** Mean wall time per batch in milliseconds. */
  readonly msPerBatch: number;
  /** Examples skipped by the bad-sample policy while timing. */
  readonly skipped: number;
}

/**
 * Time a {@link DataLoader} end to end on a source: reading, decoding, normalisation, the given
 * transforms and collation into tensors (which are disposed at once). For benchmarks
 * (`tools/bench`), e.g. on the MMEarth HDF5 fixture and on GeoTIFF folders; never asserted in tests.
 */
export async function measureLoaderThroughput(source: SampleSource, options: ThroughputOptions = {}): Promise<ThroughputResult> {
  const batchSize = options.batchSize ?? Math.min(16, source.length);
  const loader = new DataLoader(source, { ...options, batchSize });
  const warmup = options.warmup ?? 2;
  const want = options.batches ?? 20;
  const stream = loader.stream();
  let i = 0;
  let samples = 0;
  let timed = 0;
  let start = performance.now();
  const skippedBefore = loader.skipped;
  for await (const batch of stream) {
    if (i >= warmup) {
      samples += batch.size;
      timed++;
    }
    disposeBatch(batch);
    i++;
    if (i === warmup) start = performance.now(); // time only what follows the warm-up batches
    if (timed >= want) break;
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    samplesPerSecond: samples / seconds,
    batchesPerSecond: timed / seconds,
    samples,
    batches: timed,
    seconds,
    msPerBatch: (seconds * 1000) / Math.max(1, timed),
    skipped: loader.skipped - skippedBefore,
  };
}

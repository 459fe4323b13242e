import { initBackend } from '@terramae/tensors';
import { alignedCropTransform, measureLoaderThroughput } from '@terramae/datasets';
import { makeWorkloadData, type Workload } from './workloads';

/** Loader throughput beside a workload's step. */
export interface LoaderResult {
  readonly workload: string;
  readonly batch: number;
  /** Examples per second the synthetic-Earth loader delivers (crops, normalisation, collation). */
  readonly samplesPerSecond: number;
  readonly msPerBatch: number;
}

/** Time the workload's loader (synthetic Earth in memory, its crops and collation) for 6 batches after 1 warm-up. */
export async function measureLoader(workload: Workload, batch: number): Promise<LoaderResult> {
  await initBackend({ backend: 'cpu' });
  const { source } = makeWorkloadData(workload, batch);
  const views = workload.recipe.input.views ?? 1;
  const transforms = views > 1 ? [] : [alignedCropTransform(workload.input)];
  const r = await measureLoaderThroughput(source, { batchSize: batch, batches: 6, warmup: 1, seed: 0, transforms });
  return { workload: workload.id, batch, samplesPerSecond: r.samplesPerSecond, msPerBatch: r.msPerBatch };
}

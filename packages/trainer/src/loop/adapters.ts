import type { Batch } from '@terramae/tensors';
import type { BatchStream } from './types';

/**
 * What {@link loaderStream} needs from a loader: an endless stream of batches resuming from the
 * loader's position, that position, and a way to set it (the `DataLoader` of `@terramae/datasets`).
 */
export interface ResumableLoader<S = unknown> {
  /** Batches across epochs without end, from the current position. */
  stream(): AsyncGenerator<Batch, void, undefined>;
  /** The exact position (for checkpoints). */
  state(): S;
  /** Continue from a position saved by `state()`. */
  restore(state: S): void;
  /** Batches per epoch. */
  readonly batchesPerEpoch: number;
}

/**
 * A loader (e.g. `DataLoader` of `@terramae/datasets`) as the {@link BatchStream} that
 * {@link pretrain} reads: `next()` pulls from the loader's endless stream, `state()`/`restore()`
 * are the loader's, and a restore restarts the stream at the restored position (a loader's
 * read-ahead holds plain arrays, so dropping it leaks no tensor).
 *
 * @example
 * ```ts
 * const loader = new DataLoader(dataset, { batchSize: 8, seed: 0, transforms: [alignedCropTransform(56)] });
 * await pretrain({ model, data: loaderStream(loader), optimizer, schedule, totalSteps: 100, rng });
 * ```
 */
export function loaderStream<S>(loader: ResumableLoader<S>): BatchStream {
  let iterator: AsyncGenerator<Batch, void, undefined> | undefined;
  return {
    get batchesPerEpoch() {
      return loader.batchesPerEpoch;
    },
    async next() {
      iterator ??= loader.stream();
      const result = await iterator.next();
      if (result.done) throw new Error('loaderStream: the loader stream ended; stream() must yield batches without end');
      return result.value;
    },
    state: () => loader.state(),
    restore(state: unknown) {
      const old = iterator;
      iterator = undefined;
      void old?.return(undefined);
      loader.restore(state as S);
    },
  };
}

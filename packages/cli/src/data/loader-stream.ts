import type { DataLoader, LoaderState } from '@terramae/datasets';
import type { Batch } from '@terramae/tensors';
import type { BatchStream } from '@terramae/trainer';

/**
 * A `DataLoader` of `@terramae/datasets` as the trainer's `BatchStream`: batches across epochs
 * without end, the loader's exact position as the state, and a restore that restarts the stream
 * from a saved position (the loader's prefetched examples are plain arrays, so dropping them
 * leaks nothing).
 */
export class LoaderStream implements BatchStream {
  private iterator: AsyncGenerator<Batch, void, undefined> | undefined;

  constructor(readonly loader: DataLoader) {}

  /** Batches per epoch (with the loader's drop-last rule). */
  get batchesPerEpoch(): number {
    return this.loader.batchesPerEpoch;
  }

  async next(): Promise<Batch> {
    this.iterator ??= this.loader.stream();
    const result = await this.iterator.next();
    if (result.done) throw new Error('LoaderStream: the loader stream ended, which an endless stream never does');
    return result.value;
  }

  state(): LoaderState {
    return this.loader.state();
  }

  restore(state: unknown): void {
    const old = this.iterator;
    this.iterator = undefined;
    void old?.return(undefined);
    this.loader.restore(state as LoaderState);
  }
}

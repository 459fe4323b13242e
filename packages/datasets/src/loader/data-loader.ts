import { Rng, type Batch } from '@terramae/tensors';
import { BadSampleError, DatasetError, DatasetFormatError } from '../errors';
import type { Transform } from './augment';
import { checkExample, collate } from './collate';
import { mixSeed } from '../util/seed';
import type { AnySample, SampleSource } from './source';

/** What to do with an example that cannot be produced (a `BadSampleError`). */
export type BadSamplePolicy = 'fail' | 'skip';

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions {
  /** Examples per batch. */
  readonly batchSize: number;
  /** Shuffle every epoch with a seeded permutation (default true). */
  readonly shuffle?: boolean;
  /** Seed of the shuffles and of every per-example random draw (default 0). */
  readonly seed?: number;
  /** Drop the last incomplete batch of an epoch (default: same as `shuffle`). */
  readonly dropLast?: boolean;
  /** Batches read ahead while the consumer works (default 2; 0 = read on demand). */
  readonly prefetch?: number;
  /** Augmentations applied in order to each example, with a generator seeded for the example. */
  readonly transforms?: readonly Transform[];
  /** `fail` (default): rethrow the error, which names the sample and file; `skip`: count, warn, go on. */
  readonly badSamples?: BadSamplePolicy;
  /** With `skip`, fail anyway once more than this many examples were skipped (default unlimited). */
  readonly maxSkipped?: number;
  /** Called for every skipped example (default: a `console.warn` with the running count). */
  readonly onSkip?: (error: BadSampleError, skipped: number) => void;
}

/** Everything needed to resume a loader exactly (store it in a checkpoint). */
export interface LoaderState {
  readonly version: 1;
  readonly seed: number;
  readonly epoch: number;
  /** Positions of the epoch's order already consumed (delivered or skipped). */
  readonly cursor: number;
  /** Examples skipped so far, over all epochs. */
  readonly skipped: number;
  /** Length of the source when the state was taken (checked on restore). */
  readonly length: number;
}

type Loaded = { ok: true; example: AnySample } | { ok: false; error: unknown };

/**
 * Batches from a {@link SampleSource}: seeded shuffling per epoch, bounded asynchronous prefetch,
 * per-example augmentation with reproducible randomness, a bad-sample policy, collation into the
 * `Batch` contract, and an exact resumable state.
 *
 * Examples are read and transformed ahead of time as plain arrays; tensors are created only when a
 * batch is handed out, so stopping early leaks nothing. The consumer disposes each batch
 * (`disposeBatch`).
 *
 * Randomness: the order of epoch `e` is a permutation drawn from `(seed, e)`; the example at place
 * `k` of that order gets generators drawn from `(seed, e, k)`. A restored state therefore
 * reproduces the same batches, crops and neighbour choices bit for bit.
 *
 * @example
 * ```ts
 * const loader = new DataLoader(dataset, { batchSize: 8, seed: 1, transforms: [alignedCropTransform(56)] });
 * for await (const batch of loader) { ...; disposeBatch(batch); } // one epoch
 * const state = loader.state(); // → checkpoint; later: loader.restore(state)
 * ```
 */
export class DataLoader implements AsyncIterable<Batch> {
  private epochValue: number;
  private cursorValue = 0;
  private skippedValue = 0;
  private readonly seed: number;
  private readonly shuffle: boolean;
  private readonly dropLast: boolean;
  private readonly prefetch: number;
  private readonly policy: BadSamplePolicy;

  constructor(
    readonly source: SampleSource,
    readonly options: DataLoaderOptions,
  ) {
    if (!(Number.isInteger(options.batchSize) && options.batchSize > 0)) {
      throw new DatasetFormatError(`DataLoader: batchSize must be a positive integer, got ${options.batchSize}.`);
    }
    if (source.length === 0) throw new DatasetFormatError('DataLoader: the source is empty.');
    this.seed = (options.seed ?? 0) >>> 0;
    this.shuffle = options.shuffle ?? true;
    this.dropLast = options.dropLast ?? this.shuffle;
    this.prefetch = Math.max(0, options.prefetch ?? 2);
    this.policy = options.badSamples ?? 'fail';
    this.epochValue = 0;
    if (this.dropLast && source.length < options.batchSize) {
      throw new DatasetFormatError(
        `DataLoader: the source has ${source.length} examples, fewer than one batch of ${options.batchSize}, and dropLast is on.`,
      );
    }
  }

  /** Current epoch (0-based). */
  get epoch(): number {
    return this.epochValue;
  }

  /** Positions of the current epoch already consumed. */
  get cursor(): number {
    return this.cursorValue;
  }

  /** Examples skipped so far. */
  get skipped(): number {
    return this.skippedValue;
  }

  /** Batches per epoch when nothing is skipped. */
  get batchesPerEpoch(): number {
    const n = this.source.length / this.options.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** The order of the source's positions in an epoch. */
  epochOrder(epoch: number): number[] {
    const n = this.source.length;
    return this.shuffle ? new Rng(mixSeed(this.seed, epoch, 0x5eed)).permutation(n) : Array.from({ length: n }, (_, i) => i);
  }

  /** The exact position of the loader, for checkpoints. */
  state(): LoaderState {
    return { version: 1, seed: this.seed, epoch: this.epochValue, cursor: this.cursorValue, skipped: this.skippedValue, length: this.source.length };
  }

  /** Resume from {@link DataLoader.state}: the next batch is the one that followed when the state was taken. */
  restore(state: LoaderState): void {
    if (state?.version !== 1) throw new DatasetFormatError('DataLoader.restore: unknown state version.');
    if (state.seed !== this.seed) {
      throw new DatasetFormatError(`DataLoader.restore: the state was taken with seed ${state.seed}, this loader uses seed ${this.seed}.`);
    }
    if (state.length !== this.source.length) {
      throw new DatasetFormatError(
        `DataLoader.restore: the state was taken on a source of ${state.length} examples, this source has ${this.source.length}.`,
      );
    }
    if (!(state.cursor >= 0 && state.cursor <= state.length)) throw new DatasetFormatError(`DataLoader.restore: cursor ${state.cursor} is out of range.`);
    this.epochValue = state.epoch;
    this.cursorValue = state.cursor;
    this.skippedValue = state.skipped;
  }

  /** The remaining batches of the current epoch; afterwards the loader moves to the next epoch. */
  [Symbol.asyncIterator](): AsyncIterator<Batch> {
    return this.epochBatches()[Symbol.asyncIterator]();
  }

  /** Batches across epochs without end (or `maxEpochs` epochs), resuming from the current state. */
  async *stream(maxEpochs = Number.POSITIVE_INFINITY): AsyncGenerator<Batch, void, undefined> {
    for (let e = 0; e < maxEpochs; e++) yield* this.epochBatches();
  }

  private async *epochBatches(): AsyncGenerator<Batch, void, undefined> {
    const epoch = this.epochValue;
    const order = this.epochOrder(epoch);
    const n = order.length;
    const B = this.options.batchSize;
    const window = Math.max(1, B * this.prefetch);
    const pending = new Map<number, Promise<Loaded>>();
    let next = this.cursorValue;
    const launch = () => {
      while (next < n && pending.size < window) {
        const k = next++;
        pending.set(k, this.load(order[k] as number, epoch, k));
      }
    };
    let k = this.cursorValue;
    let batch: AnySample[] = [];
    while (k < n) {
      launch();
      const result = await (pending.get(k) as Promise<Loaded>);
      pending.delete(k);
      k++;
      if (!result.ok) {
        this.handleFailure(result.error, order[k - 1] as number);
      } else {
        batch.push(result.example);
      }
      if (batch.length === B || (k === n && batch.length > 0 && !this.dropLast)) {
        const out = collate(batch, this.source.specs);
        batch = [];
        this.cursorValue = k;
        yield out;
      }
    }
    this.epochValue = epoch + 1;
    this.cursorValue = 0;
  }

  private async load(position: number, epoch: number, k: number): Promise<Loaded> {
    try {
      const rng = new Rng(mixSeed(this.seed, epoch, k, 1));
      let example = await this.source.get(position, { rng: rng.fork(), epoch });
      checkExample(example, this.source.specs, this.source.describe?.(position));
      for (const t of this.options.transforms ?? []) example = t(example, rng);
      return { ok: true, example };
    } catch (error) {
      return { ok: false, error };
    }
  }

  private handleFailure(error: unknown, position: number): void {
    if (!(error instanceof BadSampleError)) {
      const where = this.source.describe?.(position) ?? `example ${position}`;
      if (error instanceof DatasetError) throw error;
      throw new DatasetError(`Loading ${where} failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
    if (this.policy === 'fail') throw error;
    this.skippedValue++;
    const max = this.options.maxSkipped ?? Number.POSITIVE_INFINITY;
    if (this.skippedValue > max) {
      throw new DatasetError(`DataLoader: ${this.skippedValue} bad examples skipped, more than maxSkipped = ${max}. Last: ${error.message}`, {
        cause: error,
      });
    }
    if (this.options.onSkip) this.options.onSkip(error, this.skippedValue);
    else console.warn(`[terramae] skipped bad example (${this.skippedValue} so far): ${error.message}`);
  }
}

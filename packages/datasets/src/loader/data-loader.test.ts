import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { disposeBatch, type Batch, type Sample } from '@terramae/tensors';
import { useBackend } from '@terramae/testing';
import { DataLoader } from './data-loader';
import { ArraySource } from './array-source';
import { alignedCropTransform } from './augment';
import { TOY_SPECS, toySample } from '../__tests__/toy';
import { BadSampleError, DatasetError } from '../errors';
import type { SampleSource } from './source';
import { measureLoaderThroughput } from './throughput';

const source = new ArraySource(Array.from({ length: 10 }, (_, i) => toySample(i)), TOY_SPECS, 'toy');

async function drain(it: AsyncIterable<Batch>, max = Infinity): Promise<{ indices: number[][]; firstPixels: number[][] }> {
  const indices: number[][] = [];
  const firstPixels: number[][] = [];
  for await (const b of it) {
    indices.push([...b.indices]);
    const d = await b.modalities.s2!.data();
    firstPixels.push(Array.from({ length: b.size }, (_, i) => d[i * (d.length / b.size)]!));
    disposeBatch(b);
    if (indices.length >= max) break;
  }
  return { indices, firstPixels };
}

/** A source whose examples 3 and 7 are bad. */
class FlakySource implements SampleSource<Sample> {
  readonly views = 1;
  readonly specs = TOY_SPECS;
  readonly length = 10;
  async get(i: number): Promise<Sample> {
    if (i === 3 || i === 7) throw new BadSampleError({ index: i, file: 'flaky.h5', reason: 'read-error', detail: 'truncated chunk' });
    return toySample(i);
  }
  describe(i: number) {
    return `flaky.h5, sample ${i}`;
  }
}

describe('DataLoader', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('shuffles deterministically per seed and epoch, covers every example once, and drops the last partial batch', async () => {
    const a = new DataLoader(source, { batchSize: 3, seed: 7 });
    expect(a.batchesPerEpoch).toBe(3);
    const e0 = await drain(a);
    const e1 = await drain(a);
    expect(a.epoch).toBe(2);
    expect(e0.indices).toHaveLength(3);
    expect(new Set(e0.indices.flat()).size).toBe(9);
    expect(e0.indices).not.toEqual(e1.indices);
    const b = new DataLoader(source, { batchSize: 3, seed: 7 });
    expect((await drain(b)).indices).toEqual(e0.indices);
    const c = new DataLoader(source, { batchSize: 3, seed: 8 });
    expect((await drain(c)).indices).not.toEqual(e0.indices);
    const seq = new DataLoader(source, { batchSize: 4, shuffle: false });
    expect((await drain(seq)).indices).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  it('resumes exactly from a saved state, crops included', async () => {
    const opts = { batchSize: 2, seed: 3, transforms: [alignedCropTransform(5)] };
    const full = new DataLoader(source, opts);
    const reference = await drain(full.stream(2));
    const partial = new DataLoader(source, opts);
    const firstThree = await drain(partial, 3);
    const state = JSON.parse(JSON.stringify(partial.state()));
    expect(state).toMatchObject({ version: 1, seed: 3, epoch: 0, cursor: 6 });
    const resumed = new DataLoader(source, opts);
    resumed.restore(state);
    const rest = await drain(resumed.stream(2));
    expect([...firstThree.indices, ...rest.indices]).toEqual(reference.indices);
    expect([...firstThree.firstPixels, ...rest.firstPixels]).toEqual(reference.firstPixels);
    expect(() => new DataLoader(source, { ...opts, seed: 4 }).restore(state)).toThrow(/seed 3, this loader uses seed 4/);
  });

  it('prefetching and on-demand reading give the same batches, and no tensors leak when stopping early', async () => {
    const before = tf.memory().numTensors;
    const eager = await drain(new DataLoader(source, { batchSize: 2, seed: 1, prefetch: 4 }));
    const lazy = await drain(new DataLoader(source, { batchSize: 2, seed: 1, prefetch: 0 }));
    expect(eager).toEqual(lazy);
    const early = new DataLoader(source, { batchSize: 2, seed: 1, prefetch: 3 });
    for await (const b of early) {
      disposeBatch(b);
      break;
    }
    expect(early.cursor).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('bad samples: fail names the sample and file; skip counts, warns and keeps batches full', async () => {
    const failing = new DataLoader(new FlakySource(), { batchSize: 2, shuffle: false });
    await expect(drain(failing)).rejects.toThrow(/Bad sample \(read-error\) at flaky\.h5, sample 3: truncated chunk/);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const skipping = new DataLoader(new FlakySource(), { batchSize: 2, shuffle: false, badSamples: 'skip' });
    const { indices } = await drain(skipping);
    expect(indices).toEqual([[0, 1], [2, 4], [5, 6], [8, 9]]);
    expect(skipping.skipped).toBe(2);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[1]![0]).toMatch(/skipped bad example \(2 so far\).*flaky\.h5, sample 7/);
    warn.mockRestore();
    const strict = new DataLoader(new FlakySource(), { batchSize: 2, shuffle: false, badSamples: 'skip', maxSkipped: 1, onSkip: () => {} });
    await expect(drain(strict)).rejects.toThrow(/2 bad examples skipped, more than maxSkipped = 1/);
  });

  it('wraps unexpected errors with the example description', async () => {
    const broken: SampleSource<Sample> = {
      views: 1, specs: TOY_SPECS, length: 4,
      get: async () => { throw new TypeError('boom'); },
      describe: (i) => `broken source #${i}`,
    };
    const err = await drain(new DataLoader(broken, { batchSize: 2, shuffle: false })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toBe('Loading broken source #0 failed: boom');
  });

  it('measures throughput', async () => {
    const r = await measureLoaderThroughput(source, { batchSize: 2, batches: 4, warmup: 1 });
    expect(r.batches).toBe(4);
    expect(r.samples).toBe(8);
    expect(r.samplesPerSecond).toBeGreaterThan(0);
  });
});

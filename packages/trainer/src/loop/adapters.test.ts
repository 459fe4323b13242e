import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeBatch, type Batch } from '@terramae/tensors';
import { useBackend } from '@terramae/testing';
import { loaderStream, type ResumableLoader } from './adapters';

/** A loader over 5 numbered samples, 2 per batch, that records where it is. */
class CountingLoader implements ResumableLoader<{ cursor: number }> {
  cursor = 0;
  readonly batchesPerEpoch = 3;
  async *stream() {
    for (;;) {
      const first = this.cursor;
      this.cursor += 2;
      const batch: Batch = { size: 2, views: 1, modalities: { x: tf.tensor1d([first, first + 1]) }, specs: {}, indices: [first, first + 1] };
      yield batch;
    }
  }
  state() {
    return { cursor: this.cursor };
  }
  restore(s: { cursor: number }) {
    this.cursor = s.cursor;
  }
}

describe('loaderStream', () => {
  beforeAll(() => useBackend('cpu'));

  it('streams batches, reports the loader position, and restarts at a restored one', async () => {
    const loader = new CountingLoader();
    const stream = loaderStream(loader);
    expect(stream.batchesPerEpoch).toBe(3);
    const take = async () => {
      const b = await stream.next();
      const first = b.indices[0];
      disposeBatch(b);
      return first;
    };
    expect(await take()).toBe(0);
    const saved = stream.state();
    expect(await take()).toBe(2);
    expect(await take()).toBe(4);
    stream.restore(saved);
    expect(await take()).toBe(2);
    expect(tf.memory().numTensors).toBe(0);
  });
});

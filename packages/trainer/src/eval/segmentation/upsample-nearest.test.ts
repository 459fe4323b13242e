import * as tf from '@tensorflow/tfjs';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { upsampleNearest } from './upsample-nearest';

describe.each(testBackends())('upsampleNearest on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  it('repeats each value in a block and matches tf.image.resizeNearestNeighbor', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
    const y = upsampleNearest(x, 2);
    expect(y.shape).toEqual([1, 4, 4, 2]);
    const ref = tf.image.resizeNearestNeighbor(x, [4, 4]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(ref.dataSync()));
    tf.dispose([x, y, ref]);
  });
  it('has a block-sum gradient', () => {
    const x = tf.ones([1, 1, 2, 1]) as tf.Tensor4D;
    const w = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]).reshape([1, 2, 3, 1]);
    const g = tf.grad((t: tf.Tensor) => upsampleNearest(t as tf.Tensor4D, 3).slice([0, 0, 0, 0], [1, 2, 6, 1]).mul(tf.concat([w, w], 2)).sum())(x);
    // each input value covers a 3×3 block; of it, rows 0..1 are kept and weighted by w
    expect(Array.from(g.dataSync())).toEqual([1 + 2 + 3 + 4 + 5 + 6, 1 + 2 + 3 + 4 + 5 + 6]);
    tf.dispose([x, w, g]);
  });
});

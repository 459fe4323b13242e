import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { numericSuite } from '../testing-utils/index';
import { shareWasmBuffers } from './wasm-buffer-sharing';

describe('shareWasmBuffers', () => {
  numericSuite('wasm');

  it('makes Identity and same-dtype Cast share the buffer, and values outlive the original', () => {
    expect(shareWasmBuffers()).toBe(true);
    expect(shareWasmBuffers()).toBe(true); // idempotent
    const backend = tf.backend() as unknown as { refCount(id: object): number };
    const x = tf.tensor1d([1, 2, 3]);
    const copy = x.clone();
    const same = tf.cast(x, 'float32');
    expect(copy.dataId).toBe(x.dataId);
    expect(same.dataId).toBe(x.dataId);
    expect(backend.refCount(x.dataId)).toBe(3);
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(same.dataSync())).toEqual([1, 2, 3]);
    // A real conversion still converts, into its own buffer.
    const ints = tf.cast(copy, 'int32');
    expect(ints.dataId).not.toBe(copy.dataId);
    expect(ints.dtype).toBe('int32');
    tf.dispose([copy, same, ints]);
  });
});

import * as tf from '@tensorflow/tfjs';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { TensorDataError } from './errors';
import { float32ToBfloat16, float32ToFloat16 } from './float16';
import {
  type RawTensor,
  isRawTensor,
  rawFromTypedArray,
  rawToFloat32Array,
  rawToInt32Array,
  rawToNumberArray,
  rawToTensor,
  rawToTypedArray,
  tensorToRaw,
} from './raw-tensor';

describe('raw tensors (no tfjs)', () => {
  it('views aligned bytes and copies unaligned ones', () => {
    const aligned = rawFromTypedArray(new BigInt64Array([1n, -2n, 3n]), [3]);
    const view = rawToTypedArray(aligned) as BigInt64Array;
    expect(Array.from(view)).toEqual([1n, -2n, 3n]);
    expect(view.buffer).toBe(aligned.bytes.buffer);
    const backing = new Uint8Array(25);
    backing.set(aligned.bytes, 1);
    const unaligned: RawTensor = { dtype: 'I64', shape: [3], bytes: backing.subarray(1) };
    const copy = rawToTypedArray(unaligned) as BigInt64Array;
    expect(Array.from(copy)).toEqual([1n, -2n, 3n]);
    expect(copy.buffer).not.toBe(backing.buffer);
  });
  it('checks byte counts, dtypes and shapes', () => {
    expect(isRawTensor({ dtype: 'F32', shape: [2], bytes: new Uint8Array(8) })).toBe(true);
    expect(isRawTensor({ dtype: 'F8', shape: [2], bytes: new Uint8Array(8) })).toBe(false);
    expect(() => rawToTypedArray({ dtype: 'F32', shape: [3], bytes: new Uint8Array(8) }, 'w')).toThrow(
      /tensor 'w' \(F32 \[3\]\) has 8 bytes; expected 12/,
    );
    expect(() => rawFromTypedArray(new Float32Array(3), [2, 2], undefined, 'w')).toThrow(TensorDataError);
    expect(() => rawFromTypedArray(new Float32Array(3), [3], 'F16', 'w')).toThrow(/Float32Array cannot hold F16/);
  });
  it('converts integers to int32 with a range check naming the element', () => {
    const ok = rawFromTypedArray(new BigInt64Array([0n, 2147483647n, -2147483648n]), [3]);
    expect(Array.from(rawToInt32Array(ok))).toEqual([0, 2147483647, -2147483648]);
    const big = rawFromTypedArray(new BigInt64Array([0n, 2147483648n]), [2]);
    expect(() => rawToInt32Array(big, 'ids')).toThrow(/tensor 'ids' \(I64\) element 1 = 2147483648 does not fit in int32/);
    expect(Array.from(rawToInt32Array(rawFromTypedArray(new Uint8Array([0, 3, 1]), [3], 'BOOL')))).toEqual([0, 1, 1]);
    expect(() => rawToInt32Array(rawFromTypedArray(new Float32Array(1), [1]))).toThrow(/needs an integer/);
    expect(rawToNumberArray(rawFromTypedArray(new BigInt64Array([-(2n ** 52n)]), [1]))).toEqual([-(2 ** 52)]);
    expect(() => rawToNumberArray(rawFromTypedArray(new BigInt64Array([2n ** 60n]), [1]))).toThrow(/beyond 2\^53/);
  });
  it('widens F16/BF16 exactly', () => {
    const v = new Float32Array([1.5, -0.25, 65504, 2 ** -24]);
    expect(Array.from(rawToFloat32Array(rawFromTypedArray(float32ToFloat16(v), [4], 'F16')))).toEqual(Array.from(v));
    const w = new Float32Array([1.5, -0.25, 3 * 2 ** 100]);
    expect(Array.from(rawToFloat32Array(rawFromTypedArray(float32ToBfloat16(w), [3], 'BF16')))).toEqual(Array.from(w));
  });
});

for (const backend of testBackends()) {
  describe(`raw tensors <-> tf.Tensor (${backend})`, () => {
    beforeAll(() => useBackend(backend));
    it('makes tensors of the right tfjs dtype and values without leaking', () => {
      const before = tf.memory().numTensors;
      const cases: [RawTensor, string, number[]][] = [
        [rawFromTypedArray(new Float32Array([1, 2, 3, 4]), [2, 2]), 'float32', [1, 2, 3, 4]],
        [rawFromTypedArray(new Float64Array([0.5, -1]), [2]), 'float32', [0.5, -1]],
        [rawFromTypedArray(float32ToFloat16(new Float32Array([0.5, 3])), [2], 'F16'), 'float32', [0.5, 3]],
        [rawFromTypedArray(float32ToBfloat16(new Float32Array([0.5, -3])), [2], 'BF16'), 'float32', [0.5, -3]],
        [rawFromTypedArray(new BigInt64Array([5n, -7n]), [2]), 'int32', [5, -7]],
        [rawFromTypedArray(new Uint8Array([200, 1]), [2]), 'int32', [200, 1]],
        [rawFromTypedArray(new Uint8Array([0, 1, 1]), [3], 'BOOL'), 'bool', [0, 1, 1]],
        [rawFromTypedArray(new Float32Array([7]), []), 'float32', [7]],
      ];
      for (const [raw, dtype, values] of cases) {
        const t = rawToTensor(raw);
        expect(t.dtype).toBe(dtype);
        expect(t.shape).toEqual(raw.shape);
        expect(Array.from(t.dataSync())).toEqual(values);
        t.dispose();
      }
      expect(() => rawToTensor(rawFromTypedArray(new BigInt64Array([2n ** 40n]), [1]), 'ids')).toThrow(/'ids'.*int32/);
      expect(tf.memory().numTensors).toBe(before);
    });
    it('does not alias the raw bytes', () => {
      const raw = rawFromTypedArray(new Float32Array([1, 2]), [2]);
      const t = rawToTensor(raw);
      raw.bytes.fill(0);
      expect(Array.from(t.dataSync())).toEqual([1, 2]);
      t.dispose();
    });
    it('reads tensors back into raw bytes, with optional narrowing', () => {
      const before = tf.memory().numTensors;
      const f = tf.tensor([1.5, -2, 65504], [3]);
      const i = tf.tensor([1, -2, 300], [3], 'int32');
      const b = tf.tensor([true, false], [2], 'bool');
      expect(tensorToRaw(f)).toEqual(rawFromTypedArray(new Float32Array([1.5, -2, 65504]), [3]));
      expect(rawToNumberArray(tensorToRaw(f, 'F16'))).toEqual([1.5, -2, 65504]);
      expect(rawToNumberArray(tensorToRaw(f, 'BF16'))).toEqual([1.5, -2, 65536]);
      expect(tensorToRaw(i, 'I64').bytes.length).toBe(24);
      expect(rawToNumberArray(tensorToRaw(i, 'I64'))).toEqual([1, -2, 300]);
      expect(() => tensorToRaw(i, 'U8', 'labels')).toThrow(/tensor 'labels' element 1 = -2 does not fit in U8/);
      expect(() => tensorToRaw(f, 'I32', 'w')).toThrow(/float32 and cannot be written as I32/);
      expect(tensorToRaw(b)).toEqual({ dtype: 'BOOL', shape: [2], bytes: new Uint8Array([1, 0]) });
      tf.dispose([f, i, b]);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTmpDir } from './__tests__/tmp';
import { SafetensorsError } from './errors';
import { rawFromTypedArray, rawToNumberArray } from './raw-tensor';
import { parseSafetensors } from './safetensors-bytes';
import { loadSafetensors, loadSafetensorsRaw, saveSafetensors } from './safetensors-io';

const dir = useTmpDir();

for (const backend of testBackends()) {
  describe(`saveSafetensors / loadSafetensors (${backend})`, () => {
    beforeAll(() => useBackend(backend));
    it('round-trips tf tensors, raw tensors and typed arrays without leaking', () => {
      const before = tf.memory().numTensors;
      const path = join(dir, `${backend}.safetensors`);
      const w = tf.tensor([[1, 2, 3], [4, 5, 6]]);
      const ids = tf.tensor([3, 0, 2], [3], 'int32');
      const mask = tf.tensor([true, false], [2], 'bool');
      saveSafetensors(
        path,
        {
          w,
          ids,
          mask,
          long: { data: new BigInt64Array([7n, -1n]), shape: [2] },
          raw: rawFromTypedArray(new Uint8Array([9, 8]), [2]),
        },
        { epoch: '3' },
      );
      tf.dispose([w, ids, mask]);
      const loaded = loadSafetensors(path);
      expect(Object.keys(loaded).sort()).toEqual(['ids', 'long', 'mask', 'raw', 'w']);
      expect(loaded.w!.arraySync()).toEqual([[1, 2, 3], [4, 5, 6]]);
      expect(loaded.ids!.dtype).toBe('int32');
      expect(loaded.mask!.dtype).toBe('bool');
      expect(Array.from(loaded.long!.dataSync())).toEqual([7, -1]);
      expect(loaded.raw!.dtype).toBe('int32');
      tf.dispose(Object.values(loaded));
      const raw = loadSafetensorsRaw(path);
      expect(raw.metadata).toEqual({ epoch: '3' });
      expect(raw.tensors.long!.dtype).toBe('I64');
      expect(rawToNumberArray(raw.tensors.long!)).toEqual([7, -1]);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}

describe('saveSafetensors atomicity', () => {
  beforeAll(() => useBackend('cpu'));
  it('overwrites atomically and leaves no temporary file', () => {
    const path = join(dir, 'atomic.safetensors');
    saveSafetensors(path, { a: { data: new Float32Array([1]), shape: [1] } });
    saveSafetensors(path, { b: { data: new Float32Array([2, 3]), shape: [2] } });
    expect(Object.keys(parseSafetensors(new Uint8Array(readFileSync(path))).tensors)).toEqual(['b']);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
  it('keeps the old file intact when writing fails midway', () => {
    const path = join(dir, 'keep.safetensors');
    writeFileSync(path, 'old content');
    const ok = tf.tensor([1, 2]);
    const gone = tf.tensor([3]);
    gone.dispose();
    expect(() => saveSafetensors(path, { ok, gone })).toThrow(/keep\.safetensors: tensor 'gone' is disposed/);
    ok.dispose();
    // A raw tensor whose bytes do not match its shape fails after the header was laid out.
    expect(() => saveSafetensors(path, { bad: { dtype: 'F32', shape: [4], bytes: new Uint8Array(3) } })).toThrow(SafetensorsError);
    expect(readFileSync(path, 'utf8')).toBe('old content');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
  it('names the path when the folder does not exist', () => {
    const path = join(dir, 'no', 'such', 'dir.safetensors');
    expect(() => saveSafetensors(path, {})).toThrow(new RegExp(`${path}: cannot write safetensors file`));
  });
  it('disposes what it loaded when a later tensor fails', () => {
    const path = join(dir, 'overflow.safetensors');
    saveSafetensors(path, {
      a: { data: new Float32Array([1]), shape: [1] },
      z: { data: new Uint32Array([3_000_000_000]), shape: [1] }, // same item size, so read after 'a'
    });
    const before = tf.memory().numTensors;
    expect(() => loadSafetensors(path)).toThrow(/tensor 'z' \(U32\) element 0 = 3000000000 does not fit in int32/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

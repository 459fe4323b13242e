import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { sharedPath, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTmpDir } from './__tests__/tmp';
import { SafetensorsError } from './errors';
import { float32ToBfloat16, float32ToFloat16 } from './float16';
import { rawFromTypedArray } from './raw-tensor';
import { serializeSafetensors } from './safetensors-bytes';
import { SafetensorsFile } from './safetensors-file';

const dir = useTmpDir();
beforeAll(() => useBackend('cpu'));

/** A safetensors file from a raw header string and data bytes. */
function fileWith(name: string, header: string, data: Uint8Array = new Uint8Array(0), lengthOverride?: bigint): string {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  const path = join(dir, name);
  writeFileSync(path, out);
  return path;
}

describe('SafetensorsFile', () => {
  const good = join(dir, 'good.safetensors');
  beforeAll(() => {
    writeFileSync(
      good,
      serializeSafetensors(
        {
          w: { data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] },
          ids: { data: new BigInt64Array([3n, 1n, 2n]), shape: [3] },
          h: rawFromTypedArray(float32ToFloat16(new Float32Array([0.25, -1])), [2], 'F16'),
          bf: rawFromTypedArray(float32ToBfloat16(new Float32Array([8, -0.5])), [2], 'BF16'),
          m: { data: new Uint8Array([1, 0, 1]), shape: [3], dtype: 'BOOL' },
          s: { data: new Float32Array([42]), shape: [] },
        },
        { kind: 'test' },
      ),
    );
  });
  it('reads the header, then single tensors by positioned reads', () => {
    const f = SafetensorsFile.open(good);
    try {
      expect(f.keys()).toEqual(['ids', 's', 'w', 'bf', 'h', 'm']);
      expect(f.metadata).toEqual({ kind: 'test' });
      expect(f.info('w')).toEqual({ dtype: 'F32', shape: [2, 3], dataOffsets: [28, 52] });
      const raw = f.readRaw('w');
      expect(raw.bytes.byteLength).toBe(24);
      expect(raw.bytes.buffer.byteLength).toBe(24); // only this tensor's bytes were read
      expect(Array.from(f.readArray('ids') as BigInt64Array)).toEqual([3n, 1n, 2n]);
      expect(Array.from(f.readInt32Array('ids'))).toEqual([3, 1, 2]);
      expect(Array.from(f.readFloat32Array('h'))).toEqual([0.25, -1]);
      expect(() => f.info('nope')).toThrow(/good\.safetensors: no tensor 'nope' \(the file has 6 tensors: 'ids', 's'/);
    } finally {
      f.close();
    }
    expect(() => f.readRaw('w')).toThrow(/closed/);
  });
  it('makes tf tensors of the documented dtypes without leaking', () => {
    const before = tf.memory().numTensors;
    const f = SafetensorsFile.open(good);
    try {
      const expectations: Record<string, [string, number[]]> = {
        w: ['float32', [1, 2, 3, 4, 5, 6]],
        ids: ['int32', [3, 1, 2]],
        h: ['float32', [0.25, -1]],
        bf: ['float32', [8, -0.5]],
        m: ['bool', [1, 0, 1]],
        s: ['float32', [42]],
      };
      for (const [name, [dtype, values]] of Object.entries(expectations)) {
        const t = f.readTensor(name);
        expect(t.dtype).toBe(dtype);
        expect(t.shape).toEqual(f.info(name).shape);
        expect(Array.from(t.dataSync())).toEqual(values);
        t.dispose();
      }
    } finally {
      f.close();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  describe('rejects corrupt files with the file name in the message', () => {
    const cases: [string, () => string, RegExp][] = [
      [
        'an empty file',
        () => {
          writeFileSync(join(dir, 'empty.safetensors'), new Uint8Array(0));
          return join(dir, 'empty.safetensors');
        },
        /0 bytes is too short for a safetensors file/,
      ],
      ['a zero header length', () => fileWith('zero.safetensors', '', new Uint8Array(0), 0n), /header length 0 is too small/],
      ['a header length larger than the file', () => fileWith('long.safetensors', '{}', new Uint8Array(0), 1000n), /header length 1000 runs past the end of the file/],
      ['an absurd header length', () => fileWith('huge.safetensors', '{}', new Uint8Array(0), 2n ** 40n), /larger than the 100000000-byte limit/],
      ['bad JSON', () => fileWith('json.safetensors', '{"w": {"dtype": "F32",'), /the header is not valid JSON/],
      ['a non-object header', () => fileWith('arr.safetensors', '[1, 2]'), /must be a JSON object; found an array/],
      ['an unknown dtype', () => fileWith('dtype.safetensors', '{"w": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [0, 1]}}', new Uint8Array(1)), /tensor 'w' has dtype "F8_E4M3", which is not supported/],
      ['offsets out of range', () => fileWith('range.safetensors', '{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}', new Uint8Array(4)), /tensor 'w' has data_offsets \[0, 8\] beyond the 4-byte data section/],
      ['a size that does not match the shape', () => fileWith('size.safetensors', '{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}', new Uint8Array(8)), /tensor 'w' \(F32 \[3\]\) spans 8 bytes; its shape and dtype need 12/],
      ['overlapping tensors', () => fileWith('overlap.safetensors', '{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}', new Uint8Array(8)), /tensor 'b' bytes \[4, 8\) overlap tensor 'a'/],
      ['a gap between tensors', () => fileWith('gap.safetensors', '{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}', new Uint8Array(12)), /4 unused bytes before tensor 'b'/],
      ['trailing bytes', () => fileWith('trail.safetensors', '{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', new Uint8Array(6)), /2 trailing bytes/],
      ['bad metadata', () => fileWith('meta.safetensors', '{"__metadata__": {"epoch": 3}}'), /"__metadata__" entry 'epoch' must be a string/],
      ['a negative shape', () => fileWith('shape.safetensors', '{"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 0]}}'), /tensor 'w' has shape \[-1\]/],
    ];
    for (const [what, make, message] of cases) {
      it(what, () => {
        const path = make();
        let error: unknown;
        try {
          SafetensorsFile.open(path).close();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(SafetensorsError);
        expect((error as Error).message).toContain(path);
        expect((error as Error).message).toMatch(message);
      });
    }
    it('a truncated file', () => {
      const bytes = readFileSync(good);
      const path = join(dir, 'truncated.safetensors');
      writeFileSync(path, bytes.subarray(0, bytes.length - 5));
      expect(() => SafetensorsFile.open(path)).toThrow(SafetensorsError);
      expect(() => SafetensorsFile.open(path)).toThrow(new RegExp(`${path}: tensor '.*' has data_offsets .* beyond the .*-byte data section; the file is truncated`));
      const cut = join(dir, 'cut-header.safetensors');
      writeFileSync(cut, bytes.subarray(0, 20));
      expect(() => SafetensorsFile.open(cut)).toThrow(new RegExp(`${cut}: header length \\d+ runs past the end`));
    });
    it('a missing file', () => {
      expect(() => SafetensorsFile.open(join(dir, 'absent.safetensors'))).toThrow(/absent\.safetensors: cannot open/);
    });
  });
});

const parity = sharedPath('fixtures', 'parity');
describe.skipIf(!parity)('reads every parity fixture', () => {
  const files = parity ? readdirSync(parity).filter((f) => f.endsWith('.safetensors')) : [];
  it('validates each header and reads each tensor', () => {
    expect(files.length).toBeGreaterThan(0);
    const before = tf.memory().numTensors;
    for (const name of files) {
      const path = join(parity!, name);
      const total = readFileSync(path).length;
      const f = SafetensorsFile.open(path);
      try {
        expect(f.metadata.case ?? f.metadata.title).toBeTruthy();
        let bytes = 0;
        for (const key of f.keys()) {
          const raw = f.readRaw(key);
          bytes += raw.bytes.length;
          const arr = f.readArray(key);
          expect(arr.length).toBe(raw.shape.reduce((a, b) => a * b, 1));
          const t = f.readTensor(key);
          expect(t.shape).toEqual(raw.shape);
          t.dispose();
        }
        expect(f.header.dataStart + bytes).toBe(total);
        expect(f.header.dataStart % 8).toBe(0);
      } finally {
        f.close();
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

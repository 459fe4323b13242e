import { readFileSync } from 'node:fs';
import { sharedPath } from '@terramae/testing';
import { describe, expect, it } from 'vitest';
import { SafetensorsError } from './errors';
import { float32ToFloat16 } from './float16';
import { rawFromTypedArray, rawToTypedArray } from './raw-tensor';
import { parseSafetensors, serializeSafetensors } from './safetensors-bytes';

function headerOf(bytes: Uint8Array): { n: number; json: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { n, json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) };
}

describe('serializeSafetensors / parseSafetensors', () => {
  const inputs = {
    'b.u8': { data: new Uint8Array([1, 2, 3]), shape: [3] },
    'a.f32': { data: new Float32Array([1, -2, 3.5, 4, 5, 6]), shape: [2, 3] },
    'c.i64': { data: new BigInt64Array([9n, -9n]), shape: [2] },
    'd.f16': rawFromTypedArray(float32ToFloat16(new Float32Array([0.5])), [], 'F16'),
    'e.bool': { data: new Uint8Array([1, 0]), shape: [2], dtype: 'BOOL' as const },
  };
  it('sorts by item size then name, aligns every tensor and pads the header to 8 bytes', () => {
    const bytes = serializeSafetensors(inputs, { note: 'hi' });
    const { n, json } = headerOf(bytes);
    expect(n % 8).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(8, 8 + n)).endsWith(' ') || n === JSON.stringify(json).length).toBe(true);
    const order = Object.entries(json)
      .filter(([k]) => k !== '__metadata__')
      .sort((x, y) => x[1].data_offsets[0] - y[1].data_offsets[0])
      .map(([k]) => k);
    expect(order).toEqual(['c.i64', 'a.f32', 'd.f16', 'b.u8', 'e.bool']);
    for (const k of order) {
      const size = { I64: 8, F32: 4, F16: 2, U8: 1, BOOL: 1 }[json[k]!.dtype]!;
      expect((8 + n + json[k]!.data_offsets[0]) % size).toBe(0);
    }
    expect(json.__metadata__).toEqual({ note: 'hi' });
  });
  it('round-trips names, dtypes, shapes, bytes and metadata', () => {
    const parsed = parseSafetensors(serializeSafetensors(inputs, { note: 'hi' }));
    expect(parsed.metadata).toEqual({ note: 'hi' });
    expect(Object.keys(parsed.tensors).sort()).toEqual(Object.keys(inputs).sort());
    expect(parsed.tensors['a.f32']!.shape).toEqual([2, 3]);
    expect(Array.from(rawToTypedArray(parsed.tensors['a.f32']!) as Float32Array)).toEqual([1, -2, 3.5, 4, 5, 6]);
    expect(Array.from(rawToTypedArray(parsed.tensors['c.i64']!) as BigInt64Array)).toEqual([9n, -9n]);
    expect(parsed.tensors['d.f16']).toEqual(inputs['d.f16']);
    expect(parsed.tensors['e.bool']).toMatchObject({ dtype: 'BOOL', shape: [2] });
    expect(parsed.tensors['b.u8']!.dtype).toBe('U8');
  });
  it('writes an empty file that reads back', () => {
    const parsed = parseSafetensors(serializeSafetensors({}));
    expect(parsed).toEqual({ tensors: {}, metadata: {} });
  });
  it('refuses reserved names, duplicate names and non-string metadata', () => {
    expect(() => serializeSafetensors({ __metadata__: { data: new Float32Array(1), shape: [1] } }, undefined, 'out.safetensors')).toThrow(
      /out\.safetensors: '__metadata__' is reserved/,
    );
    expect(() => serializeSafetensors({}, { epoch: 3 as unknown as string }, 'out.safetensors')).toThrow(/metadata entry 'epoch' must be a string/);
    expect(() => serializeSafetensors({ x: { data: new Float32Array(3), shape: [2] } }, undefined, 'out.safetensors')).toThrow(SafetensorsError);
  });
  const mixed = sharedPath('fixtures', 'torch-pth', 'expected_mixed.safetensors');
  it.skipIf(!mixed)('parses an unaligned reference file and re-serialises it to identical tensors', () => {
    const parsed = parseSafetensors(new Uint8Array(readFileSync(mixed!)), mixed!);
    const again = parseSafetensors(serializeSafetensors(parsed.tensors, parsed.metadata));
    expect(again.metadata).toEqual(parsed.metadata);
    for (const [name, raw] of Object.entries(parsed.tensors)) {
      expect(again.tensors[name]!.dtype).toBe(raw.dtype);
      expect(again.tensors[name]!.shape).toEqual(raw.shape);
      expect(Buffer.from(again.tensors[name]!.bytes).equals(Buffer.from(raw.bytes))).toBe(true);
    }
    // 'long' (I64) sits at an odd offset in this file: reading it still works (copied).
    expect(Array.from(rawToTypedArray(parsed.tensors.long!) as BigInt64Array).length).toBe(10);
  });
});

const parity = sharedPath('fixtures', 'parity', 'optimizer_adamw.safetensors');
describe.skipIf(!parity)('writer layout matches the reference writer', () => {
  it('re-serialising a parity fixture gives the same tensor order, offsets and file size', () => {
    const bytes = new Uint8Array(readFileSync(parity!));
    const parsed = parseSafetensors(bytes, parity!);
    const again = serializeSafetensors(parsed.tensors, parsed.metadata);
    expect(again.length).toBe(bytes.length);
    const a = headerOf(bytes).json;
    const b = headerOf(again).json;
    for (const name of Object.keys(parsed.tensors)) expect(b[name]!.data_offsets).toEqual(a[name]!.data_offsets);
  });
});

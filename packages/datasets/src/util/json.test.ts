import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJsonNonFinite, stringifyJsonNonFinite } from './json-nonfinite';
import { JsonObjectIndex } from './json-object-index';

const tmp = mkdtempSync(join(tmpdir(), 'terramae-json-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('JSON with NaN / Infinity (Python json)', () => {
  it('parses bare tokens but not inside strings, and writes them back', () => {
    const v = parseJsonNonFinite('{"a": [NaN, Infinity, -Infinity, 1], "s": "NaN, Infinity"}') as { a: number[]; s: string };
    expect(Number.isNaN(v.a[0])).toBe(true);
    expect(v.a.slice(1)).toEqual([Infinity, -Infinity, 1]);
    expect(v.s).toBe('NaN, Infinity');
    expect(stringifyJsonNonFinite({ a: [NaN, Infinity, -Infinity, 1.5], t: Float32Array.of(2) })).toBe('{"a":[NaN,Infinity,-Infinity,1.5],"t":[2]}');
  });
});

describe('JsonObjectIndex', () => {
  const obj = {
    tile_a: { S2_type: 'l1c', lat: 1.5, BANDS: { s1: null, s2: ['B1', 'B2'] }, note: 'has } and " inside' },
    'tile,b': { S2_type: 'l2a', era5: [NaN, 1] },
    'tile\u00e9': 3,
  };
  const path = join(tmp, 'tile_info.json');
  writeFileSync(path, stringifyJsonNonFinite(obj, 1));

  it('the streaming index (for files too large for one string) gives the same entries as a full parse', () => {
    const eager = JsonObjectIndex.open(path);
    const streamed = JsonObjectIndex.open(path, 0);
    for (const idx of [eager, streamed]) {
      expect(idx.size).toBe(3);
      expect(idx.keys()).toEqual(Object.keys(obj));
      expect(idx.get('tile_a')).toEqual(obj.tile_a);
      expect((idx.get('tile,b') as { era5: number[] }).era5[1]).toBe(1);
      expect(Number.isNaN((idx.get('tile,b') as { era5: number[] }).era5[0])).toBe(true);
      expect(idx.get('tile\u00e9')).toBe(3);
      expect(idx.has('nope')).toBe(false);
    }
  });

  it('reports truncated and non-object files', () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '{"a": {"b": 1}');
    expect(() => JsonObjectIndex.open(bad, 0)).toThrow(/ends before its top-level object is closed/);
    expect(() => JsonObjectIndex.open(bad)).toThrow(/bad\.json is not valid JSON/);
    writeFileSync(bad, '[1, 2]');
    expect(() => JsonObjectIndex.open(bad, 0)).toThrow(/must hold a JSON object at the top level/);
  });
});

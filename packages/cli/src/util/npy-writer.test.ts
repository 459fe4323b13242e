import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNpy } from '@terramae/datasets';
import { encodeNpy, writeNpy } from './npy-writer';

describe('npy writer', () => {
  it('pads the header to 64 bytes and round-trips through the datasets reader', () => {
    const bytes = encodeNpy(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    const headerLength = new DataView(bytes.buffer).getUint16(8, true);
    expect((10 + headerLength) % 64).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(10, 10 + headerLength))).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    const path = join(mkdtempSync(join(tmpdir(), 'terramae-npy-')), 'a.npy');
    writeNpy(path, new Int32Array([7, -1]), [2]);
    const back = readNpy(path);
    expect(back.shape).toEqual([2]);
    expect(Array.from(back.data as ArrayLike<number>)).toEqual([7, -1]);
  });

  it('rejects a shape that does not fit the data', () => {
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).toThrow(/needs 6 values, got 5/);
  });
});

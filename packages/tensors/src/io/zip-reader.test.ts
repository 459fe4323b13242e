import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeZip } from './__tests__/zip-writer';
import { useTmpDir } from './__tests__/tmp';
import { crc32 } from './crc32';
import { ZipError } from './errors';
import { ZipReader } from './zip-reader';

const dir = useTmpDir();
const bytes = (n: number, seed: number): Uint8Array => new Uint8Array(n).map((_, i) => (i * seed + 7) & 0xff);

function write(name: string, data: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('ZipReader', () => {
  const a = bytes(1000, 13);
  const b = new Uint8Array(5000).fill(42);
  for (const zip64 of [false, true]) {
    it(`reads STORED and DEFLATE entries${zip64 ? ' with ZIP64 records' : ''}`, () => {
      const path = write(`ok${zip64}.zip`, makeZip([{ name: 'arc/a', data: a }, { name: 'arc/b', data: b, deflate: true }, { name: 'arc/empty', data: new Uint8Array(0) }], { zip64 }));
      const zip = ZipReader.open(path);
      try {
        expect(zip.names()).toEqual(['arc/a', 'arc/b', 'arc/empty']);
        expect(zip.entry('arc/b')!.method).toBe(8);
        expect(zip.entry('arc/b')!.compressedSize).toBeLessThan(5000);
        expect(zip.read('arc/a')).toEqual(a);
        expect(zip.read('arc/b')).toEqual(b);
        expect(zip.read('arc/empty')).toEqual(new Uint8Array(0));
        expect(zip.readRange('arc/a', 100, 50)).toEqual(a.subarray(100, 150));
        expect(zip.readRange('arc/b', 4990, 10)).toEqual(b.subarray(4990));
        expect(() => zip.readRange('arc/a', 990, 20)).toThrow(/outside entry 'arc\/a'/);
        expect(() => zip.read('nope')).toThrow(/no entry 'nope'/);
      } finally {
        zip.close();
      }
    });
  }
  it('detects a corrupted entry by its CRC and names the archive', () => {
    const zipBytes = makeZip([{ name: 'x', data: a }]);
    zipBytes[30 + 1 + 10] ^= 0xff; // flip a data byte
    const path = write('crc.zip', zipBytes);
    const zip = ZipReader.open(path);
    try {
      expect(() => zip.read('x')).toThrow(ZipError);
      expect(() => zip.read('x')).toThrow(new RegExp(`${path}.*CRC-32`));
    } finally {
      zip.close();
    }
  });
  it('rejects files that are not zips or are truncated', () => {
    const notZip = write('plain.bin', bytes(100, 3));
    expect(() => ZipReader.open(notZip)).toThrow(/plain\.bin: no zip end-of-central-directory record/);
    const tiny = write('tiny.bin', bytes(5, 3));
    expect(() => ZipReader.open(tiny)).toThrow(/tiny\.bin: 5 bytes is too short/);
    const full = makeZip([{ name: 'x', data: a }]);
    // Keep the end record but drop the middle: the directory offset now points past the data.
    const cut = new Uint8Array([...full.subarray(0, 200), ...full.subarray(full.length - 22)]);
    expect(() => ZipReader.open(write('cut.zip', cut))).toThrow(/cut\.zip: .*(truncated|malformed)/);
    expect(() => ZipReader.open(join(dir, 'missing.zip'))).toThrow(/missing\.zip: cannot open/);
  });
});

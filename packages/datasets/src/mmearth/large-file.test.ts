import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedPath } from '@terramae/testing';
import { H5MMEarthStore } from './h5-store';

// A file of more than 4 GiB whose sample chunks lie past the 5 GiB mark (a sparse file made by
// h5py, so it costs no disk): h5wasm must address it with 64-bit offsets, as the 150-600 GB
// MMEarth releases need. Skipped without Debian's python3-h5py.
const fixture = sharedPath('fixtures', 'mmearth', 'data_eurosat_16_v001_64.h5');
const tmp = mkdtempSync(join(tmpdir(), 'terramae-large-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function makeLargeFile(path: string): boolean {
  const script = `
import h5py, sys
src = h5py.File(sys.argv[1], 'r')
f = h5py.File(sys.argv[2], 'w')
pad = f.create_dataset('pad', shape=(5 * 2**30,), dtype='u1')
pad[-1] = 1
for k in ['sentinel2', 'metadata']:
    d = src[k]
    f.create_dataset(k, data=d[...], chunks=d.chunks, compression='gzip', compression_opts=4)
f.close()
print(h5py.File(sys.argv[2], 'r')['sentinel2'].id.get_chunk_info(15).byte_offset)
`;
  try {
    const offset = Number(execFileSync('/usr/bin/python3', ['-c', script, fixture!, path], { encoding: 'utf8' }).trim());
    const st = statSync(path);
    return offset > 5 * 2 ** 30 && st.blocks * 512 < 1e9; // really past 5 GiB, and sparse on this filesystem
  } catch {
    return false;
  }
}

describe.skipIf(!fixture)('files larger than 4 GiB', () => {
  it('reads a sample chunk stored past 5 GiB', async (ctx) => {
    const path = join(tmp, 'big.h5');
    if (!makeLargeFile(path)) ctx.skip();
    const big = await H5MMEarthStore.open(path);
    const ref = await H5MMEarthStore.open(fixture!);
    expect(statSync(path).size).toBeGreaterThan(5 * 2 ** 30);
    expect(Array.from(big.read('sentinel2', 15))).toEqual(Array.from(ref.read('sentinel2', 15)));
    expect(big.meta(15).tileId).toBe(ref.meta(15).tileId);
    big.close();
    ref.close();
  });
});

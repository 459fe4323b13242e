import { copyFileSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync, writeSync, closeSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { disposeBatch } from '@terramae/tensors';
import { sharedPath, useBackend } from '@terramae/testing';
import { MMEarthDataset } from './mmearth-dataset';
import { BadSampleError, DatasetFileError } from '../errors';
import { DataLoader } from '../loader/data-loader';

const dir = sharedPath('fixtures', 'mmearth');
const name = 'data_eurosat_16_v001_64';
const tmp = mkdtempSync(join(tmpdir(), 'terramae-damaged-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function copyDataset(to: string): string {
  for (const suffix of ['.h5', '_band_stats.json', '_splits.json', '_tile_info.json']) {
    copyFileSync(join(dir!, name + suffix), join(to, name + suffix));
    chmodSync(join(to, name + suffix), 0o644);
  }
  return join(to, `${name}.h5`);
}

describe.skipIf(!dir)('damaged MMEarth files', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('a corrupt chunk is a bad sample naming the file and index; the loader can fail or skip', async () => {
    const d = mkdtempSync(join(tmp, 'corrupt-'));
    const path = copyDataset(d);
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(50000), 0, 50000, 1_200_000); // zero part of the compressed chunks
    closeSync(fd);
    const ds = await MMEarthDataset.open(path, { split: 'all', modalities: ['sentinel2', 'sentinel1'] });
    const bad: number[] = [];
    for (let i = 0; i < ds.length; i++) {
      const e = await ds.get(i).then(() => undefined, (err: unknown) => err);
      if (e) {
        expect(e).toBeInstanceOf(BadSampleError);
        expect((e as Error).message).toContain(`Bad sample (read-error) at ${path}, sample ${i}`);
        expect((e as Error).message).toMatch(/corrupt or truncated chunk/);
        bad.push(i);
      }
    }
    expect(bad.length).toBeGreaterThan(0);
    expect(bad.length).toBeLessThan(ds.length);
    await expect(async () => {
      for await (const b of new DataLoader(ds, { batchSize: 4, shuffle: false })) disposeBatch(b);
    }).rejects.toThrow(new RegExp(`sample ${bad[0]}`));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const loader = new DataLoader(ds, { batchSize: 2, shuffle: false, badSamples: 'skip' });
    const seen: number[] = [];
    for await (const b of loader) {
      seen.push(...b.indices);
      disposeBatch(b);
    }
    expect(loader.skipped).toBe(bad.length);
    expect(seen.some((i) => bad.includes(i))).toBe(false);
    expect(warn).toHaveBeenCalledTimes(bad.length);
    warn.mockRestore();
    ds.close();
  });

  it('a truncated file, a non-HDF5 file and a missing side file fail at open with the file named', async () => {
    const d = mkdtempSync(join(tmp, 'trunc-'));
    const path = copyDataset(d);
    truncateSync(path, 1_500_000);
    const e = await MMEarthDataset.open(path).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DatasetFileError);
    expect((e as Error).message).toMatch(new RegExp(`Cannot open MMEarth HDF5 file ${path}: truncated file.*may be truncated or damaged`));
    writeFileSync(path, 'this is not HDF5');
    await expect(MMEarthDataset.open(path)).rejects.toThrow(/is not an HDF5 file \(no HDF5 signature\)/);
    rmSync(join(d, `${name}_splits.json`));
    await expect(MMEarthDataset.open(path)).rejects.toThrow(new RegExp(`Missing splits file .*${name}_splits\\.json`));
    await expect(MMEarthDataset.open(join(tmp, 'nowhere'))).rejects.toThrow(/MMEarth dataset not found: .*nowhere does not exist/);
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '@terramae/testing';
import { detectDataKind, detectPathKind } from './detect';

describe('detectPathKind', () => {
  it('tells files apart by extension', () => {
    const dir = mkdtempSync(join(tmpdir(), 'terramae-detect-'));
    const touch = (name: string) => {
      writeFileSync(join(dir, name), '');
      return join(dir, name);
    };
    expect(detectPathKind(touch('a.safetensors'))).toBe('safetensors');
    expect(detectPathKind(touch('a.pth'))).toBe('pth');
    expect(detectPathKind(touch('a.tif'))).toBe('geotiff');
    expect(detectPathKind(touch('r.yaml'))).toBe('recipe');
    expect(detectPathKind(touch('s.mat'))).toBe('scene-pairs');
    expect(detectPathKind(join(dir, 'missing.h5'))).toBeUndefined();
  });

  it('recognises checkpoint folders and GeoTIFF class folders (also under split folders)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'terramae-detect-'));
    mkdirSync(join(dir, 'ckpt'));
    writeFileSync(join(dir, 'ckpt', 'meta.json'), '{}');
    writeFileSync(join(dir, 'ckpt', 'model.safetensors'), '');
    expect(detectPathKind(join(dir, 'ckpt'))).toBe('checkpoint');
    mkdirSync(join(dir, 'eurosat', 'train', 'Forest'), { recursive: true });
    writeFileSync(join(dir, 'eurosat', 'train', 'Forest', 'Forest_1.tif'), '');
    expect(detectDataKind(join(dir, 'eurosat'))).toBe('geotiff-folder');
    expect(detectDataKind(join(dir, 'ckpt'))).toBeUndefined();
  });

  const mmearth = sharedPath('fixtures', 'mmearth');
  it.skipIf(!mmearth)('finds the MMEarth-layout folder', () => {
    expect(detectDataKind(mmearth!)).toBe('mmearth');
  });
});

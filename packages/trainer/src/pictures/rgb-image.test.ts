import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blit, createRgbImage, decodePng, encodePng, pixelAt, writePng } from './rgb-image';

describe('RGB images and PNG', () => {
  it('round-trips through PNG with exact pixels', () => {
    const img = createRgbImage(3, 2, [10, 20, 30]);
    img.data.set([255, 0, 0], (1 * 3 + 2) * 3); // (x 2, y 1) red
    const back = decodePng(encodePng(img));
    expect([back.width, back.height]).toEqual([3, 2]);
    expect(pixelAt(back, 2, 1)).toEqual([255, 0, 0]);
    expect(pixelAt(back, 0, 0)).toEqual([10, 20, 30]);
  });
  it('blits with scaling and clipping, and writes files', () => {
    const dst = createRgbImage(5, 5);
    const src = createRgbImage(2, 1, [9, 9, 9]);
    src.data.set([1, 2, 3], 3);
    blit(dst, src, 2, 3, 2);
    expect(pixelAt(dst, 2, 3)).toEqual([9, 9, 9]);
    expect(pixelAt(dst, 4, 4)).toEqual([1, 2, 3]);
    expect(pixelAt(dst, 1, 3)).toEqual([0, 0, 0]);
    const path = join(mkdtempSync(join(tmpdir(), 'terramae-png-')), 'sub', 'x.png');
    writePng(path, dst);
    expect(pixelAt(decodePng(readFileSync(path)), 4, 4)).toEqual([1, 2, 3]);
    expect(() => createRgbImage(0, 1)).toThrow(/positive integers/);
  });
});

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Batch } from '@terramae/tensors';
import type { PretrainOptions } from '../loop/pretrain';
import { describe, expect, it } from 'vitest';
import { pictureHook } from './picture-hook';
import { decodePng, pixelAt } from './rgb-image';

describe('pictureHook', () => {
  it('writes step-numbered pictures every N steps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'terramae-hook-'));
    const seen: number[] = [];
    const written: string[] = [];
    const hook = pictureHook({
      onWrite: (p) => void written.push(p),
      dir,
      every: 2,
      scale: 1,
      padding: 0,
      rows: (step) => {
        seen.push(step);
        return [[{ image: { data: [step], shape: [1, 1] }, kind: 'categorical' }]];
      },
    });
    const asOnStep: PretrainOptions['onStep'] = hook; // fits the loop's hook type
    expect(asOnStep).toBe(hook);
    const batch = {} as Batch;
    await hook(1, batch);
    await hook(2, batch);
    const path = join(dir, 'step-00000002.png');
    expect(written).toEqual([path]);
    expect(existsSync(join(dir, 'step-00000001.png'))).toBe(false);
    expect(seen).toEqual([2]);
    expect(pixelAt(decodePng(readFileSync(path)), 0, 0)).toEqual([44, 160, 44]); // class 2
    expect(() => pictureHook({ dir, every: 0, rows: () => [] })).toThrow(/positive integer/);
  });
});

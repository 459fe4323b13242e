import { Rng } from '@terramae/tensors';
import { useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { blockMasking, drawBlockMask } from './block';
import { disposeMask } from './types';

beforeAll(() => useBackend('cpu'));

describe('block masking', () => {
  it('hides exactly the budget, mostly in contiguous blocks', () => {
    const rng = new Rng(11);
    for (let t = 0; t < 20; t++) {
      const m = drawBlockMask(14, 14, 118, rng, 4, Infinity, 0.3);
      expect(m.reduce((a, b) => a + b, 0)).toBe(118);
    }
    // blockiness: hidden cells have more hidden 4-neighbours than a random mask would give (~0.6·4)
    const m = drawBlockMask(14, 14, 78, new Rng(2), 16, Infinity, 0.3);
    let same = 0;
    let total = 0;
    for (let i = 0; i < 14; i++)
      for (let j = 0; j < 14; j++) {
        if (!m[i * 14 + j]) continue;
        for (const [di, dj] of [[0, 1], [1, 0], [0, -1], [-1, 0]] as const) {
          const a = i + di;
          const b = j + dj;
          if (a < 0 || b < 0 || a >= 14 || b >= 14) continue;
          total++;
          same += m[a * 14 + b] ? 1 : 0;
        }
      }
    expect(same / total).toBeGreaterThan(0.6);
  });

  it('has the keep count of random masking, visible first in the shuffle, seeded', () => {
    const a = blockMasking({ ratio: 0.6 }).sample({ count: 2, grid: [7, 7], rng: new Rng(4) });
    const b = blockMasking({ ratio: 0.6 }).sample({ count: 2, grid: [7, 7], rng: new Rng(4) });
    expect(a.keep).toEqual([19, 19]);
    expect([...a.maskValues]).toEqual([...b.maskValues]);
    const ids = a.idsKeep.arraySync();
    for (let r = 0; r < 2; r++) for (const id of ids[r]!) expect(a.maskValues[r * 49 + id]).toBe(0);
    disposeMask(a);
    disposeMask(b);
  });

  it('shares across views and validates', () => {
    const s = blockMasking({ views: 'shared' }).sample({ count: 2, views: 2, grid: [6, 6], rng: new Rng(1) });
    expect([...s.maskValues.subarray(0, 36)]).toEqual([...s.maskValues.subarray(36)]);
    disposeMask(s);
    expect(() => blockMasking({ minBlock: 0 })).toThrow(/minBlock/);
    expect(() => blockMasking({ minAspect: 2 })).toThrow(/minAspect/);
    expect(() => blockMasking().sample({ count: 1, grid: [4, 4], rng: new Rng(0), noise: new Float32Array(16) })).toThrow(/noise/);
  });
});

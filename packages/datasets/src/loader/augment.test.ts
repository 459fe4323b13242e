import { describe, expect, it } from 'vitest';
import { Rng } from '@terramae/tensors';
import { alignedRandomCrop, cropSample, randomResizedCrop, randomResizedCropRect } from './augment';
import { toySample, TOY_SPECS } from '../__tests__/toy';
import { CropPairSource } from '../neighbors/pair-sources';
import { ArraySource } from './array-source';

describe('augmentation', () => {
  it('aligned random crop: one offset for every pixel modality, image modalities untouched, box follows', () => {
    const s = toySample(1, 8);
    const out = alignedRandomCrop(s, 5, new Rng(11));
    const s2 = out.modalities.s2!;
    const lc = out.modalities.lc!;
    expect(s2.shape).toEqual([5, 5, 3]);
    expect(lc.shape).toEqual([5, 5, 1]);
    // recover the offset from the continuous values, then check the label map used the same one
    const p0 = (s2.data[0]! - 1000) / 10;
    const y0 = Math.floor(p0 / 8);
    const x0 = p0 % 8;
    expect(lc.data[0]).toBe((x0 + y0) % 4);
    expect(lc.data[2 * 5 + 3]).toBe((x0 + 3 + y0 + 2) % 4);
    expect(out.modalities.era).toBe(s.modalities.era);
    // box [80, 80, 160, 0] over 8 px → 10 units per pixel
    expect(out.box).toEqual([80 + 10 * x0, 80 - 10 * y0, 80 + 10 * (x0 + 5), 80 - 10 * (y0 + 5)]);
    const offsets = new Set<string>();
    for (let seed = 0; seed < 400; seed++) {
      const o = alignedRandomCrop(s, 5, new Rng(seed)).modalities.s2!.data[0]!;
      offsets.add(String(o));
    }
    expect(offsets.size).toBe(16); // all 4 x 4 offsets occur
    expect(() => alignedRandomCrop(s, 9, new Rng(0))).toThrow(/crop size 9 exceeds the 8 x 8 tile/);
  });

  it('NeighborMAE random-resized-crop window: area fraction relative to h², aspect in [3/4, 4/3], inside the image', () => {
    const rng = new Rng(2);
    const h = 100;
    const w = 150;
    let fullHeight = 0;
    for (let i = 0; i < 500; i++) {
      const [x0, y0, wc, hc] = randomResizedCropRect(rng, h, w);
      expect(x0).toBeGreaterThanOrEqual(0);
      expect(y0).toBeGreaterThanOrEqual(0);
      expect(x0 + wc).toBeLessThanOrEqual(w + 1e-9);
      expect(y0 + hc).toBeLessThanOrEqual(h + 1e-9);
      const a = wc / hc;
      expect(a).toBeGreaterThanOrEqual(0.75 - 1e-9);
      expect(a).toBeLessThanOrEqual(4 / 3 + 1e-9);
      const s = (hc * hc) / (h * h); // h_c = √s·h unless clipped by w/a or h
      expect(s).toBeLessThanOrEqual(1 + 1e-9);
      expect(s).toBeGreaterThanOrEqual(0.2 - 1e-9);
      if (hc === h) fullHeight++;
    }
    expect(fullHeight).toBe(0); // s < 1 almost surely, and w/a ≥ 112 > √s·h never binds here
  });

  it('resized crops keep orientation (no flips) and boxes track the window exactly', () => {
    const s = toySample(0, 16);
    const out = randomResizedCrop(s, new Rng(4), { size: 8, method: 'bilinear' });
    const d = out.modalities.s2!.data;
    // channel 0 grows to the right and downwards everywhere: no flip
    for (let y = 0; y < 8; y++) for (let x = 1; x < 8; x++) expect(d[(y * 8 + x) * 3]!).toBeGreaterThan(d[(y * 8 + x - 1) * 3]!);
    for (let y = 1; y < 8; y++) expect(d[y * 8 * 3]!).toBeGreaterThan(d[(y - 1) * 8 * 3]!);
    const [l, t, r, b] = out.box!;
    expect(l).toBeGreaterThanOrEqual(0);
    expect(r).toBeLessThanOrEqual(80);
    expect(t).toBeLessThanOrEqual(80);
    expect(b).toBeGreaterThanOrEqual(0);
    const direct = cropSample(s, [4, 2, 8, 8], 8, 8);
    expect(direct.box).toEqual([20, 70, 60, 30]);
    expect(direct.modalities.s2!.data[0]).toBe(10 * (2 * 16 + 4));
  });

  it('CropPairSource: two crops of one image in the image frame [0, 1, w/h, 0]', async () => {
    const src = new CropPairSource(new ArraySource([toySample(0, 16)], TOY_SPECS), { size: 8, method: 'bilinear' });
    const ex = await src.get(0, { rng: new Rng(9), epoch: 0 });
    expect(ex.views).toHaveLength(2);
    for (const v of ex.views) {
      const [l, t, r, b] = v.box!;
      expect(l).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThanOrEqual(1 + 1e-12);
      expect(t).toBeLessThanOrEqual(1 + 1e-12);
      expect(b).toBeGreaterThanOrEqual(-1e-12);
      expect(v.modalities.s2!.shape).toEqual([8, 8, 3]);
      expect(v.modalities.lc!.data).toBeInstanceOf(Int32Array);
    }
    expect(ex.views[0]!.box).not.toEqual(ex.views[1]!.box);
    const again = await src.get(0, { rng: new Rng(9), epoch: 0 });
    expect(again.views[1]!.box).toEqual(ex.views[1]!.box);
  });
});

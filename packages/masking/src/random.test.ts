import * as tf from '@tensorflow/tfjs';
import { Rng } from '@terramae/tensors';
import { sharedPath, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from './__tests__/read-fixture';
import { MaskingOptionError } from './errors';
import { fcmaeMasking } from './fcmae';
import { keepCount, randomMasking } from './random';
import { disposeMask } from './types';

beforeAll(() => useBackend('cpu'));

describe('random masking (MAE)', () => {
  it('keeps int(L·(1−ratio)) patches per image with consistent ids', () => {
    const before = tf.memory().numTensors;
    const s = randomMasking({ ratio: 0.75 }).sample({ count: 3, grid: [4, 4], rng: new Rng(1) });
    expect(s.keep).toEqual([4, 4, 4]);
    expect(s.idsKeep.shape).toEqual([3, 4]);
    expect(s.keyMask).toBeUndefined();
    const mask = s.mask.arraySync();
    const shuffle = s.idsShuffle.arraySync();
    const restore = s.idsRestore.arraySync();
    const idsKeep = s.idsKeep.arraySync();
    for (let r = 0; r < 3; r++) {
      expect(mask[r]!.reduce((a, b) => a + b, 0)).toBe(12);
      expect([...shuffle[r]!].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
      for (let i = 0; i < 16; i++) {
        expect(shuffle[r]![restore[r]![i]!]).toBe(i);
        expect(mask[r]![i]).toBe(restore[r]![i]! >= 4 ? 1 : 0);
        expect(s.maskValues[r * 16 + i]).toBe(mask[r]![i]);
      }
      expect(idsKeep[r]).toEqual(shuffle[r]!.slice(0, 4));
      for (const id of idsKeep[r]!) expect(mask[r]![id]).toBe(0);
    }
    disposeMask(s);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const m = randomMasking();
    const a = m.sample({ count: 2, grid: [7, 7], rng: new Rng(7) });
    const b = m.sample({ count: 2, grid: [7, 7], rng: new Rng(7) });
    const c = m.sample({ count: 2, grid: [7, 7], rng: new Rng(8) });
    expect([...a.maskValues]).toEqual([...b.maskValues]);
    expect([...a.maskValues]).not.toEqual([...c.maskValues]);
    [a, b, c].forEach(disposeMask);
  });

  it('reuses injected noise', () => {
    const noise = Float32Array.from([0.3, 0.1, 0.2, 0.9]);
    const s = randomMasking({ ratio: 0.5 }).sample({ count: 1, grid: [2, 2], rng: new Rng(0), noise });
    expect(s.idsShuffle.arraySync()).toEqual([[1, 2, 0, 3]]);
    expect(s.mask.arraySync()).toEqual([[1, 0, 0, 1]]);
    disposeMask(s);
  });

  it('shares one mask across the views of a sample on request', () => {
    const s = randomMasking({ views: 'shared' }).sample({ count: 4, views: 2, grid: [4, 4], rng: new Rng(3) });
    const m = s.maskValues;
    expect([...m.subarray(0, 16)]).toEqual([...m.subarray(16, 32)]);
    expect([...m.subarray(32, 48)]).toEqual([...m.subarray(48, 64)]);
    expect([...m.subarray(0, 16)]).not.toEqual([...m.subarray(32, 48)]);
    disposeMask(s);
    const ind = randomMasking().sample({ count: 2, views: 2, grid: [4, 4], rng: new Rng(3) });
    expect([...ind.maskValues.subarray(0, 16)]).not.toEqual([...ind.maskValues.subarray(16, 32)]);
    disposeMask(ind);
  });

  it('rejects bad options and requests with errors naming the option', () => {
    expect(() => randomMasking({ ratio: 1.2 })).toThrow(/ratio/);
    expect(() => randomMasking({ ratio: 1.2 })).toThrow(MaskingOptionError);
    expect(() => randomMasking({ mask_ratio: 0.5 } as never)).toThrow(/mask_ratio: unknown option/);
    expect(() => randomMasking({ ratio: 0.99 }).sample({ count: 1, grid: [4, 4], rng: new Rng(0) })).toThrow(/no visible patch/);
    expect(() => randomMasking().sample({ count: 1, grid: [2, 2], rng: new Rng(0), noise: new Float32Array(3) })).toThrow(/request.noise/);
    expect(() => randomMasking().sample({ count: 3, views: 2, grid: [2, 2], rng: new Rng(0) })).toThrow(/request.views/);
    expect(() => fcmaeMasking({ grid: [7, 7] }).sample({ count: 1, grid: [4, 4], rng: new Rng(0) })).toThrow(/grid/);
  });

  it('FCMAE keeps 19 of 49 at ratio 0.6 and MAE 49 of 196 at 0.75', () => {
    expect(keepCount(49, 0.6)).toBe(19);
    expect(keepCount(196, 0.75)).toBe(49);
    expect(fcmaeMasking().encoderLength([7, 7])).toBe(19);
    expect(fcmaeMasking().check({ grid: [7, 7], views: 1, hasBoxes: false })).toEqual([]);
    expect(fcmaeMasking({ grid: [7, 7] }).check({ grid: [6, 6], views: 1, hasBoxes: false })[0]).toMatch(/6×6/);
  });
});

describe('reference noise reproduction', () => {
  for (const name of ['mae_vit_c3', 'mae_vit_c12']) {
    const path = sharedPath('fixtures', 'parity', `${name}.safetensors`);
    it.skipIf(!path)(`${name}: ids and mask from input/noise equal the fixture's`, () => {
      const f = readFixture(path as string);
      const noise = f['input/noise']!;
      const [count, l] = noise.shape as [number, number];
      const side = Math.round(Math.sqrt(l));
      const s = randomMasking({ ratio: 0.75 }).sample({ count, grid: [side, side], rng: new Rng(0), noise: noise.data as Float32Array });
      expect([...(s.idsShuffle.dataSync() as Int32Array)]).toEqual([...f['output/ids_shuffle']!.data]);
      expect([...(s.idsRestore.dataSync() as Int32Array)]).toEqual([...f['output/ids_restore']!.data]);
      expect([...s.mask.dataSync()]).toEqual([...f['output/mask']!.data]);
      disposeMask(s);
    });
  }
  const fcmae = sharedPath('fixtures', 'parity', 'fcmae_loss.safetensors');
  it.skipIf(!fcmae)('fcmae_loss: mask from input/mask_noise equals output/mask', () => {
    const f = readFixture(fcmae as string);
    const noise = f['input/mask_noise']!;
    const [count] = noise.shape as [number, number];
    const s = fcmaeMasking({ ratio: 0.6 }).sample({ count, grid: [7, 7], rng: new Rng(0), noise: noise.data as Float32Array });
    expect([...s.mask.dataSync()]).toEqual([...f['output/mask']!.data]);
    disposeMask(s);
  });
});

import * as tf from '@tensorflow/tfjs';
import { Rng, type Box } from '@terramae/tensors';
import { sharedPath, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from './__tests__/read-fixture';
import { boxIoU, meanIoUs } from './iou';
import { adaptiveEncoderLength, adaptiveKeep, neighborAdaptiveMasking } from './neighbor-adaptive';
import { disposeMask } from './types';

beforeAll(() => useBackend('cpu'));

/** Two boxes of the same size whose IoU is `iou` (horizontal shift). */
function pairWithIoU(iou: number): Box[] {
  // IoU of unit squares shifted by d: (1 − d) / (1 + d) → d = (1 − iou) / (1 + iou)
  const d = (1 - iou) / (1 + iou);
  return [
    [0, 1, 1, 0],
    [d, 1, 1 + d, 0],
  ];
}

describe('IoU', () => {
  it('computes IoU of y-up boxes', () => {
    expect(boxIoU([0, 2, 2, 0], [1, 2, 3, 0])).toBeCloseTo(1 / 3, 6);
    expect(boxIoU([0, 1, 1, 0], [2, 1, 3, 0])).toBe(0);
    expect(meanIoUs([[0, 1, 1, 0], [0, 1, 1, 0], [5, 1, 6, 0]])).toEqual([0.5, 0.5, 0]);
  });
});

describe('neighbor-adaptive masking', () => {
  it('gives the spec numbers: IoU 0 → 49, 0.5 → 39, 1 → 29 of 196; K = 49', () => {
    expect(adaptiveKeep(pairWithIoU(0), 196, 0.75, 0.85).keep).toEqual([49, 49]);
    expect(adaptiveKeep(pairWithIoU(0.5), 196, 0.75, 0.85).keep).toEqual([39, 39]);
    expect(adaptiveKeep(pairWithIoU(1), 196, 0.75, 0.85).keep).toEqual([29, 29]);
    expect(adaptiveEncoderLength(196, 0.75)).toBe(49);
  });

  it('samples per-view keep counts with a fixed encoder length and key mask', () => {
    const before = tf.memory().numTensors;
    const boxes = [pairWithIoU(1), pairWithIoU(0)];
    const s = neighborAdaptiveMasking().sample({ count: 4, views: 2, grid: [14, 14], boxes, rng: new Rng(5) });
    expect(s.keep).toEqual([29, 29, 49, 49]);
    expect(s.idsKeep.shape).toEqual([4, 49]);
    const km = s.keyMask!.arraySync();
    expect(km[0]!.reduce((a, b) => a + b, 0)).toBe(20);
    expect(km[0]!.slice(0, 29).every((v) => v === 0)).toBe(true);
    expect(km[2]!.every((v) => v === 0)).toBe(true);
    const hidden = tf.tidy(() => s.mask.sum(1).arraySync() as number[]);
    expect(hidden).toEqual([167, 167, 147, 147]);
    disposeMask(s);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports what it needs before any tensor exists', () => {
    const m = neighborAdaptiveMasking();
    expect(m.check({ grid: [14, 14], views: 2, hasBoxes: true })).toEqual([]);
    const problems = m.check({ grid: [14, 14], views: 1, hasBoxes: false });
    expect(problems.join('\n')).toMatch(/2 views/);
    expect(problems.join('\n')).toMatch(/boxes/);
    expect(() => m.sample({ count: 2, views: 2, grid: [4, 4], rng: new Rng(0) })).toThrow(/request.boxes/);
    expect(() => m.sample({ count: 2, views: 2, grid: [4, 4], rng: new Rng(0), boxes: [[[0, 0, 1, 1], [0, 1, 1, 0]]] })).toThrow(/sample 0 view 0/);
    expect(() => neighborAdaptiveMasking({ ratioMin: 0.8, ratioMax: 0.7 })).toThrow(/ratioMax/);
  });

  const path = sharedPath('fixtures', 'parity', 'neighbor_mae.safetensors');
  it.skipIf(!path)('reproduces the reference mIoU, ratios, keep counts and ids from input/pos and input/noise', () => {
    const f = readFixture(path as string);
    const pos = f['input/pos']!;
    const [b, v] = pos.shape as [number, number, number];
    const l = f['input/noise']!.shape[2] as number;
    const side = Math.round(Math.sqrt(l));
    const boxes: Box[][] = [];
    for (let i = 0; i < b; i++) {
      boxes.push([]);
      for (let j = 0; j < v; j++) boxes[i]!.push(Array.from(pos.data.subarray((i * v + j) * 4, (i * v + j + 1) * 4)) as unknown as Box);
    }
    const miou = boxes.flatMap((bb) => meanIoUs(bb));
    miou.forEach((m, i) => expect(m).toBeCloseTo(f['output/miou']!.data[i] as number, 6));
    const k = boxes.flatMap((bb) => adaptiveKeep(bb, l, 0.75, 0.85));
    expect(k.flatMap((x) => x.ratio).map((r, i) => Math.abs(r - (f['output/mask_ratio']!.data[i] as number)))).toSatisfy((d: number[]) => d.every((x) => x < 1e-6));
    const s = neighborAdaptiveMasking({ ratioMin: 0.75, ratioMax: 0.85 }).sample({
      count: b * v,
      views: v,
      grid: [side, side],
      boxes,
      rng: new Rng(0),
      noise: f['input/noise']!.data as Float32Array,
    });
    expect(s.keep).toEqual([...f['output/len_keep']!.data]);
    expect([...(s.idsShuffle.dataSync() as Int32Array)]).toEqual([...f['output/ids_shuffle']!.data]);
    expect([...(s.idsRestore.dataSync() as Int32Array)]).toEqual([...f['output/ids_restore']!.data]);
    // binary_mask is in shuffled order: 1 at shuffled rank < len_keep
    const binary = s.keep.flatMap((k) => Array.from({ length: l }, (_, j) => (j < k ? 1 : 0)));
    expect(binary).toEqual([...f['output/binary_mask']!.data]);
    expect(s.idsKeep.shape[1]).toBe(Math.round(0.25 * l));
    disposeMask(s);
  });
});

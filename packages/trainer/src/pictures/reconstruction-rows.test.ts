import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { MASK_GREY } from './panel';
import { writeReconstructionGrid } from './reconstruction-grid';
import { reconstructionRows, trueColourChannels } from './reconstruction-rows';
import { decodePng, pixelAt } from './rgb-image';

const S2 = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8A', 'B8', 'B9', 'B11', 'B12'];

describe('reconstructionRows', () => {
  beforeAll(() => useBackend('cpu'));

  it('finds B4, B3, B2 by name', () => {
    expect(trueColourChannels(S2)).toEqual([3, 2, 1]);
    expect(trueColourChannels(['r', 'g', 'b'])).toEqual([0, 1, 2]);
    expect(trueColourChannels(['VV', 'VH'])).toBeUndefined();
  });

  it('builds input / masked / prediction / target rows per modality and draws them', async () => {
    const before = tf.memory().numTensors;
    // 2 samples of 4×4 px, 12 bands: B4 (index 3) is high on the left half → red there
    const x = tf.tidy(() => {
      const left = tf.tensor4d(Array.from({ length: 2 * 4 * 4 * 12 }, (_, i) => (i % 12 === 3 && Math.floor(i / 12) % 4 < 2 ? 10 : 0)), [2, 4, 4, 12]);
      return left;
    });
    const mask = tf.tensor2d([1, 0, 0, 0, 0, 0, 0, 1], [2, 4]); // 2×2 grid
    const dwPred = tf.randomUniform([2, 4, 4, 3]);
    const dwTarget = tf.tensor3d(Array.from({ length: 32 }, (_, i) => (i % 5 === 0 ? -1 : i % 3)), [2, 4, 4], 'int32');
    const rows = await reconstructionRows({
      input: x,
      inputBands: S2,
      mask,
      grid: [2, 2],
      modalities: [
        { name: 'sentinel2', prediction: x, target: x, spec: { name: 'sentinel2', level: 'pixel', kind: 'continuous', bands: S2 } },
        { name: 'dw', prediction: dwPred, target: dwTarget, spec: { name: 'dw', level: 'pixel', kind: 'categorical', bands: ['label'], numClasses: 3, ignoreIndex: -1 } },
      ],
    });
    expect(rows).toHaveLength(2);
    expect(rows[0]!.map((p) => p.title)).toEqual(['input', 'masked', 'sentinel2 pred', 'sentinel2 target', 'dw pred', 'dw target']);
    expect(rows[0]![2]!.kind).toBe('rgb');
    const path = join(mkdtempSync(join(tmpdir(), 'terramae-rows-')), 'grid.png');
    const placements = await writeReconstructionGrid(path, rows, { scale: 1 });
    const png = decodePng(readFileSync(path));
    const at = (r: number, c: number, dx: number, dy: number) => pixelAt(png, placements[r]![c]!.x + dx, placements[r]![c]!.y + dy);
    // B4 (red) high on the left half; B3 and B2 are flat, drawn mid-grey by their own stretch
    expect(at(0, 0, 0, 0)).toEqual([255, 128, 128]);
    expect(at(0, 0, 3, 0)).toEqual([0, 128, 128]);
    expect(at(0, 1, 0, 0)).toEqual(MASK_GREY); // sample 0, top-left cell hidden
    expect(at(0, 1, 3, 3)).not.toEqual(MASK_GREY);
    expect(at(1, 1, 3, 3)).toEqual(MASK_GREY); // sample 1, bottom-right cell hidden
    expect(at(0, 5, 0, 0)).toEqual([0, 0, 0]); // target index 0 is -1 → black
    expect(at(0, 5, 1, 0)).toEqual([255, 127, 14]); // 1 % 3 = class 1
    tf.dispose([x, mask, dwPred, dwTarget]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('says what is missing', async () => {
    const x = { data: new Float32Array(2 * 2 * 2), shape: [1, 2, 2, 2] };
    await expect(reconstructionRows({ input: x, inputBands: ['VV', 'VH'], mask: { data: [0], shape: [1, 1] }, grid: [1, 1], modalities: [] })).rejects.toThrow(/lack B4, B3, B2; pass rgbBands/);
    const y = { data: new Float32Array(2 * 2 * 3), shape: [1, 2, 2, 3] };
    await expect(reconstructionRows({ input: y, inputBands: ['r', 'g', 'b'], mask: { data: [0, 1], shape: [1, 2] }, grid: [1, 1], modalities: [] })).rejects.toThrow(/expected \[1, 1\] for a 1×1 grid/);
  });
});

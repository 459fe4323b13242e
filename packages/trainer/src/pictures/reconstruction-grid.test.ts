import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { MASK_GREY } from './panel';
import { renderGrid, writeReconstructionGrid } from './reconstruction-grid';
import { decodePng, pixelAt } from './rgb-image';

describe('reconstruction grid', () => {
  beforeAll(() => useBackend('cpu'));

  it('writes a PNG of the expected size with panels at their placements', async () => {
    const before = tf.memory().numTensors;
    const rgb = tf.tensor3d([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1], [2, 2, 3]); // red, green / blue, white
    const labels = tf.tensor2d([0, 1, -1, 2], [2, 2], 'int32');
    const path = join(mkdtempSync(join(tmpdir(), 'terramae-grid-')), 'pics', 'step-1.png');
    const placements = await writeReconstructionGrid(
      path,
      [
        [
          { title: 'input', image: rgb, kind: 'rgb', stretch: { low: 0, high: 100 } },
          { title: 'masked', image: rgb, kind: 'rgb', mask: { data: [0, 1, 0, 0], shape: [2, 2] } },
        ],
        [{ title: 'dw', image: labels, kind: 'categorical' }],
      ],
      { scale: 3, padding: 2 },
    );
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([rgb, labels]);
    const png = decodePng(readFileSync(path));
    // 2 columns of 6 px + 3 gaps of 2; rows: (10 px title + 6) + (10 + 6) + 3 gaps of 2
    expect([png.width, png.height]).toEqual([2 + 6 + 2 + 6 + 2, 2 + 16 + 2 + 16 + 2]);
    const [a, b] = placements[0]!;
    expect(a).toMatchObject({ x: 2, y: 12, width: 6, height: 6, scale: 3 });
    expect(pixelAt(png, a!.x, a!.y)).toEqual([255, 0, 0]);
    expect(pixelAt(png, a!.x + 5, a!.y)).toEqual([0, 255, 0]); // each source pixel is a 3×3 block
    expect(pixelAt(png, a!.x + 3, a!.y + 3)).toEqual([255, 255, 255]);
    expect(pixelAt(png, b!.x + 4, b!.y + 1)).toEqual(MASK_GREY); // top-right cell hidden
    const c = placements[1]![0]!;
    expect(pixelAt(png, c.x, c.y)).toEqual([31, 119, 180]);
    expect(pixelAt(png, c.x, c.y + 4)).toEqual([0, 0, 0]); // ignore label
    expect(pixelAt(png, 0, 0)).toEqual([24, 24, 24]);
    // the title is drawn in white inside the title band: 'I' row 0 = 0x0e → x + 1..3
    expect(pixelAt(png, 2 + 1, 2)).toEqual([255, 255, 255]);
  });

  it('auto-scales small panels and rejects an empty grid', async () => {
    const { placements } = await renderGrid([[{ image: { data: new Float32Array(16 * 16), shape: [16, 16] }, kind: 'continuous' }]]);
    expect(placements[0]![0]!.scale).toBe(6);
    await expect(renderGrid([])).rejects.toThrow(/no panels/);
  });
});

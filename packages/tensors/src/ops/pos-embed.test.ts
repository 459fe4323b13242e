import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedPath, testBackends, useBackend } from '@terramae/testing';
import { loadSafetensors } from '../io/index';
import { expectClose, numericSuite } from '../testing-utils/index';
import { OpArgumentError } from './errors';
import { posEmbed2dSinCos, posEmbed2dSinCosValues } from './pos-embed';

/** MAE's formula written out: row i·W + j, first half encodes x = j, second half y = i, each [sin, cos], ω_k = 10000^(−k/(D/4)). */
function refPosEmbed(dim: number, gh: number, gw: number, cls: boolean): Float64Array {
  const q = dim / 4;
  const out = new Float64Array(((cls ? 1 : 0) + gh * gw) * dim);
  for (let i = 0; i < gh; i++)
    for (let j = 0; j < gw; j++)
      for (let k = 0; k < q; k++) {
        const row = ((cls ? 1 : 0) + i * gw + j) * dim;
        const omega = Math.pow(10000, -k / q);
        out[row + k] = Math.sin(j * omega);
        out[row + q + k] = Math.cos(j * omega);
        out[row + 2 * q + k] = Math.sin(i * omega);
        out[row + 3 * q + k] = Math.cos(i * omega);
      }
  return out;
}

const fixture = sharedPath('fixtures', 'parity', 'mae_pos_embed.safetensors');

describe('posEmbed2dSinCosValues', () => {
  beforeAll(() => useBackend(testBackends()[0] ?? 'cpu'));

  it('equals the float64 formula (square and non-square grids, with and without class token)', () => {
    for (const [dim, gh, gw, cls] of [
      [16, 2, 2, false],
      [64, 4, 4, true],
      [32, 3, 5, false],
      [8, 14, 14, true],
    ] as const) {
      expectClose(posEmbed2dSinCosValues(dim, gh, gw, cls), refPosEmbed(dim, gh, gw, cls), 1e-7, `d${dim} ${gh}×${gw}`);
    }
  });

  it('puts the column (x) in the first half: along a row only the first half changes', () => {
    const v = posEmbed2dSinCosValues(16, 3, 4);
    const row = (r: number) => Array.from(v.slice(r * 16, r * 16 + 16));
    expect(row(1).slice(8)).toEqual(row(0).slice(8)); // same grid row i = 0
    expect(row(1).slice(0, 8)).not.toEqual(row(0).slice(0, 8));
    expect(row(4).slice(0, 8)).toEqual(row(0).slice(0, 8)); // same column j = 0, next row
  });

  it('rejects a dimension that is not a multiple of 4', () => {
    expect(() => posEmbed2dSinCosValues(18, 2)).toThrow(OpArgumentError);
    expect(() => posEmbed2dSinCosValues(18, 2)).toThrow(/multiple of 4, got 18/);
  });

  it.skipIf(!fixture)('equals MAE get_2d_sincos_pos_embed (parity fixture)', () => {
    const fx = loadSafetensors(fixture as string);
    try {
      for (const [name, dim, grid, cls] of [
        ['output/pos_embed_g4_d64_cls', 64, 4, true],
        ['output/pos_embed_g7_d48_cls', 48, 7, true],
        ['output/pos_embed_g2_d16', 16, 2, false],
      ] as const) {
        const ref = fx[name] as tf.Tensor;
        const mine = posEmbed2dSinCosValues(dim, grid, grid, cls);
        expect(mine.length).toBe(ref.size);
        expectClose(mine, ref.dataSync(), 2e-6, name);
      }
    } finally {
      tf.dispose(Object.values(fx));
    }
  });
});

for (const backend of testBackends()) {
  describe(`posEmbed2dSinCos on ${backend}`, () => {
    numericSuite(backend);

    it('returns the values as a [L, dim] float32 tensor', () => {
      const t = posEmbed2dSinCos(8, 2, 3, true);
      expect(t.shape).toEqual([7, 8]);
      expect(t.dtype).toBe('float32');
      expectClose(t.dataSync(), posEmbed2dSinCosValues(8, 2, 3, true), 0, 'tensor');
      t.dispose();
    });
  });
}

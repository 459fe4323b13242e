import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { sharedPath, testBackends } from '@terramae/testing';
import { loadSafetensors } from '../io/index';
import { checkGradients, expectClose, numericSuite } from '../testing-utils/index';
import { boxPosEmbed, normalizeBoxesToUnion } from './box-pos-embed';
import { OpArgumentError } from './errors';

/** NeighborMAE §2 written out in float64: edges by linear interpolation, patch (l, t, r, b), [sin(n), cos(n)] each, ω_k = 10000^(−k/(n−1)). */
function refBoxPosEmbed(box: readonly number[], dim: number, gh: number, gw: number): Float64Array {
  const [l, t, r, b] = box as [number, number, number, number];
  const n = dim / 8;
  const omega = Array.from({ length: n }, (_, k) => (n === 1 ? 1 : Math.pow(10000, -k / (n - 1))));
  const xs = Array.from({ length: gw + 1 }, (_, j) => l + ((r - l) * j) / gw);
  const ys = Array.from({ length: gh + 1 }, (_, i) => t + ((b - t) * i) / gh);
  const out = new Float64Array(gh * gw * dim);
  for (let i = 0; i < gh; i++)
    for (let j = 0; j < gw; j++) {
      const coords = [xs[j]!, ys[i]!, xs[j + 1]!, ys[i + 1]!];
      coords.forEach((c, m) => {
        for (let k = 0; k < n; k++) {
          out[(i * gw + j) * dim + m * 2 * n + k] = Math.sin(c * omega[k]!);
          out[(i * gw + j) * dim + m * 2 * n + n + k] = Math.cos(c * omega[k]!);
        }
      });
    }
  return out;
}

/** trainer.preprocess_data: the union of a sample's boxes → [0, s]², x and y scaled independently. */
function refNormalize(boxes: number[][][], s: number): number[][][] {
  return boxes.map((views) => {
    const minL = Math.min(...views.map((v) => v[0]!));
    const maxT = Math.max(...views.map((v) => v[1]!));
    const maxR = Math.max(...views.map((v) => v[2]!));
    const minB = Math.min(...views.map((v) => v[3]!));
    const sx = s / (maxR - minL);
    const sy = s / (maxT - minB);
    return views.map(([l, t, r, b]) => [(l! - minL) * sx, (t! - minB) * sy, (r! - minL) * sx, (b! - minB) * sy]);
  });
}

const RAW = [
  [
    [0.1, 0.9, 0.7, 0.2],
    [0.4, 1.0, 1.2, 0.5],
  ],
  [
    [2.0, 5.0, 3.0, 4.5],
    [2.0, 5.0, 3.0, 4.5],
  ],
];

const fixture = sharedPath('fixtures', 'parity', 'neighbor_mae.safetensors');

for (const backend of testBackends()) {
  describe(`normalizeBoxesToUnion / boxPosEmbed on ${backend}`, () => {
    numericSuite(backend);

    it('maps each sample’s union box to [0, 32]² with independent x and y scales', () => {
      const boxes = tf.tensor3d(RAW);
      const y = tf.tidy(() => normalizeBoxesToUnion(boxes).dataSync());
      expectClose(y, refNormalize(RAW, 32).flat(2), 1e-6, 'normalised boxes');
      const y8 = tf.tidy(() => normalizeBoxesToUnion(boxes, 8).dataSync());
      expectClose(y8, refNormalize(RAW, 8).flat(2), 1e-6, 'scale 8');
      boxes.dispose();
      // Away from ties of the min/max the map is smooth.
      const distinct = tf.tensor3d([RAW[0]!, [[2.0, 5.0, 3.0, 4.5], [2.2, 5.3, 3.4, 4.1]]]);
      checkGradients((a) => normalizeBoxesToUnion(a as tf.Tensor3D), [distinct], { step: 1e-3, tolerance: 1e-3 });
      distinct.dispose();
    });

    it('equals the §2 formula: linspace edges, l-t-r-b blocks of [sin, cos], inclusive frequencies, y up', () => {
      const boxList = [
        [0, 32, 32, 0],
        [3.5, 30, 20.25, 11],
        [10, 12, 11, 2],
      ];
      const boxes = tf.tensor2d(boxList);
      for (const [dim, gh, gw] of [
        [64, 4, 4],
        [32, 3, 5],
        [8, 2, 2],
      ] as const) {
        const y = tf.tidy(() => boxPosEmbed(boxes, dim, gh, gw).dataSync());
        expect(y.length).toBe(3 * gh * gw * dim);
        const ref = boxList.flatMap((b) => Array.from(refBoxPosEmbed(b, dim, gh, gw)));
        // float32 rounding of c·ω for c up to 30 costs ~2e-6 absolute.
        expectClose(y, ref, 5e-6, `d${dim} ${gh}×${gw}`);
      }
      boxes.dispose();
    });

    it('puts row 0 at the top: the first row’s top edge is the box top (y up)', () => {
      const boxes = tf.tensor2d([[0, 32, 32, 0]]);
      const y = tf.tidy(() => boxPosEmbed(boxes, 8, 2, 2).dataSync()); // n = 1, ω = 1: [sin c, cos c] per coordinate
      // patch 0: left 0, top 32, right 16, bottom 16; patch 3: left 16, top 16, right 32, bottom 0
      expectClose(y.slice(0, 8), [0, 1, Math.sin(32), Math.cos(32), Math.sin(16), Math.cos(16), Math.sin(16), Math.cos(16)], 1e-6, 'patch 0');
      expectClose(y.slice(24, 32), [Math.sin(16), Math.cos(16), Math.sin(16), Math.cos(16), Math.sin(32), Math.cos(32), 0, 1], 1e-6, 'patch 3');
      boxes.dispose();
    });

    it('is differentiable with respect to the boxes', () => {
      const boxes = tf.tensor2d([
        [1.5, 30, 20.25, 11],
        [10, 12, 11, 2],
      ]);
      checkGradients((a) => boxPosEmbed(a as tf.Tensor2D, 16, 2, 3), [boxes], { step: 2e-3, tolerance: 1e-3 });
      boxes.dispose();
    });

    it.skipIf(!fixture)('matches NeighborMAE’s preprocess_data and make_pos_embed (parity fixture)', () => {
      const fx = loadSafetensors(fixture as string);
      try {
        tf.tidy(() => {
          const raw = fx['input/meta_raw'] as tf.Tensor3D;
          const pos = fx['input/pos'] as tf.Tensor3D;
          expectClose(normalizeBoxesToUnion(raw).dataSync(), pos.dataSync(), 3e-6, 'pos');
          const [b, k] = pos.shape;
          const flat = pos.reshape([b * k, 4]) as tf.Tensor2D;
          for (const [out, embed] of [
            ['output/encoder_pos_embed', 'param/img_embed'],
            ['output/decoder_pos_embed', 'param/decoder_img_embed'],
          ] as const) {
            const ref = fx[out] as tf.Tensor4D; // [B, K, L, D]
            const [, , l, d] = ref.shape;
            const grid = Math.round(Math.sqrt(l));
            const img = (fx[embed] as tf.Tensor3D).reshape([1, k, 1, d]); // [1, K, D] per view
            const mine = boxPosEmbed(flat, d, grid).reshape([b, k, l, d]).add(img);
            expectClose(mine.dataSync(), ref.dataSync(), 1e-5, out);
          }
        });
      } finally {
        tf.dispose(Object.values(fx));
      }
    });

    it('rejects bad dimensions and box shapes', () => {
      tf.tidy(() => {
        const boxes = tf.zeros([2, 4]) as tf.Tensor2D;
        expect(() => boxPosEmbed(boxes, 12, 2)).toThrow(OpArgumentError);
        expect(() => boxPosEmbed(boxes, 12, 2)).toThrow(/multiple of 8, got 12/);
        expect(() => boxPosEmbed(tf.zeros([2, 3]) as tf.Tensor2D, 16, 2)).toThrow(/\[N, 4\]/);
        expect(() => normalizeBoxesToUnion(tf.zeros([2, 4]) as unknown as tf.Tensor3D)).toThrow(/\[B, V, 4\]/);
      });
    });
  });
}

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { sharedPath, testBackends } from '@terramae/testing';
import { loadSafetensors } from '../io/index';
import { checkGradients, expectClose, numericSuite, randomArray, valueAndGrads } from '../testing-utils/index';
import { OpArgumentError } from './errors';
import { patchify, unpatchify } from './patchify';

/** Reference order: `out[n, i·w + j, (pi·p + qi)·C + c] = x[n, i·p + pi, j·p + qi, c]` (NHWC x). */
function refPatchify(x: ArrayLike<number>, [n, hh, ww, c]: number[], p: number): Float64Array {
  const [h, w] = [hh! / p, ww! / p];
  const out = new Float64Array(x.length);
  for (let b = 0; b < n!; b++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let pi = 0; pi < p; pi++)
          for (let qi = 0; qi < p; qi++)
            for (let ch = 0; ch < c!; ch++) {
              out[((b * h * w + i * w + j) * p * p + pi * p + qi) * c! + ch] = x[((b * hh! + i * p + pi) * ww! + j * p + qi) * c! + ch] as number;
            }
  return out;
}

const fcmaeFixture = sharedPath('fixtures', 'parity', 'fcmae_loss.safetensors');

for (const backend of testBackends()) {
  describe(`patchify / unpatchify on ${backend}`, () => {
    numericSuite(backend);

    it('puts patches row-major and, inside a patch, (row, col, channel) with the channel fastest', () => {
      const shape = [2, 6, 4, 3];
      const xs = randomArray(2 * 6 * 4 * 3, 1);
      const x = tf.tensor4d(xs, shape as [number, number, number, number]);
      const dys = randomArray(xs.length, 2);
      const dy = tf.tensor3d(dys, [2, 6, 12]);
      expect(tf.tidy(() => patchify(x, 2).shape)).toEqual([2, 6, 12]);
      const [y, dx] = valueAndGrads((a) => patchify(a as tf.Tensor4D, 2), [x], dy);
      expectClose(y as Float64Array, refPatchify(xs, shape, 2), 0, 'patches');
      // A permutation: the gradient is the inverse permutation of dy, i.e. unpatchify(dy).
      const back = tf.tidy(() => unpatchify(dy, 2, [3, 2], 3).dataSync());
      expectClose(dx as Float64Array, back, 0, 'dx');
      tf.dispose([x, dy]);
    });

    it('round-trips: unpatchify(patchify(x)) = x and patchify(unpatchify(t)) = t (non-square grid)', () => {
      const x = tf.tensor4d(randomArray(1 * 8 * 12 * 2, 3), [1, 8, 12, 2]);
      const t = tf.tensor3d(randomArray(1 * 6 * 32, 4), [1, 6, 32]);
      tf.tidy(() => {
        expectClose(unpatchify(patchify(x, 4), 4, [2, 3], 2).dataSync(), x.dataSync(), 0, 'image');
        expectClose(patchify(unpatchify(t, 4, [2, 3], 2), 4).dataSync(), t.dataSync(), 0, 'patches');
      });
      checkGradients((a) => unpatchify(a as tf.Tensor3D, 4, [2, 3], 2), [t], { step: 0.5, tolerance: 1e-6 });
      tf.dispose([x, t]);
    });

    it.skipIf(!fcmaeFixture)('equals FCMAE.patchify of the parity fixture exactly', () => {
      const fx = loadSafetensors(fcmaeFixture as string);
      try {
        tf.tidy(() => {
          const target = (fx['input/target/sentinel2'] as tf.Tensor4D).transpose([0, 2, 3, 1]) as tf.Tensor4D; // NCHW → NHWC
          const ref = fx['output/patchify/sentinel2'] as tf.Tensor3D;
          const mine = patchify(target, 8);
          expect(mine.shape).toEqual(ref.shape);
          const a = mine.dataSync();
          const r = ref.dataSync();
          let mismatches = 0;
          for (let i = 0; i < r.length; i++) if (!(a[i] === r[i] || (Number.isNaN(a[i]) && Number.isNaN(r[i])))) mismatches++;
          expect(mismatches).toBe(0);
        });
      } finally {
        tf.dispose(Object.values(fx));
      }
    });

    it('rejects sizes that do not fit the patch size or grid', () => {
      tf.tidy(() => {
        expect(() => patchify(tf.zeros([1, 6, 5, 1]) as tf.Tensor4D, 2)).toThrow(OpArgumentError);
        expect(() => patchify(tf.zeros([1, 6, 5, 1]) as tf.Tensor4D, 2)).toThrow(/6×5 is not divisible by patch size 2/);
        expect(() => unpatchify(tf.zeros([1, 6, 8]) as tf.Tensor3D, 2, [2, 2], 2)).toThrow(/expected \[N, 4, 8\]/);
      });
    });
  });
}

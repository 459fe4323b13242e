import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { sharedPath, testBackends } from '@terramae/testing';
import { loadSafetensors } from '../io/index';
import { checkGradients, expectClose, numericSuite, randomArray, uniformArray, valueAndGrads } from '../testing-utils/index';
import { OpArgumentError } from './errors';
import { type ResampleMode, resampleAxisAligned } from './resample';

const roundHalfEven = (v: number) => (Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v));

/**
 * PyTorch `grid_sample(x, grid, mode, padding_mode='zeros', align_corners=False)` in float64, for
 * the grid `g = u·scale + offset` with `u = −1 + (2i + 1)/size` per axis: the source pixel is
 * `((g + 1)·size − 1)/2`; bilinear reads the 4 neighbours (zero outside), nearest rounds half to even.
 * Returns the output, the taps (output index, input index, weight) for the adjoint, and which
 * output pixels lie within `tieMargin` of a rounding tie (nearest only).
 */
function refResample(x: ArrayLike<number>, [n, h, w, c]: number[], scale: number[][], offset: number[][], mode: ResampleMode, [oh, ow]: number[], tieMargin = 1e-4) {
  const y = new Float64Array(n! * oh! * ow! * c!);
  const taps: [number, number, number][] = [];
  const nearTie = new Uint8Array(n! * oh! * ow!);
  for (let b = 0; b < n!; b++)
    for (let i = 0; i < oh!; i++)
      for (let j = 0; j < ow!; j++) {
        const gx = (-1 + (2 * j + 1) / ow!) * scale[b]![0]! + offset[b]![0]!;
        const gy = (-1 + (2 * i + 1) / oh!) * scale[b]![1]! + offset[b]![1]!;
        const ix = ((gx + 1) * w! - 1) / 2;
        const iy = ((gy + 1) * h! - 1) / 2;
        const out = (b * oh! + i) * ow! + j;
        const corners: [number, number, number][] = [];
        if (mode === 'nearest') {
          corners.push([roundHalfEven(iy), roundHalfEven(ix), 1]);
          const tie = (v: number) => Math.abs(Math.abs(v - Math.floor(v)) - 0.5) < tieMargin;
          nearTie[out] = Number(tie(ix) || tie(iy));
        } else {
          const [x0, y0] = [Math.floor(ix), Math.floor(iy)];
          const [fx, fy] = [ix - x0, iy - y0];
          corners.push([y0, x0, (1 - fy) * (1 - fx)], [y0, x0 + 1, (1 - fy) * fx], [y0 + 1, x0, fy * (1 - fx)], [y0 + 1, x0 + 1, fy * fx]);
        }
        for (const [yy, xx, wt] of corners) {
          if (yy < 0 || yy >= h! || xx < 0 || xx >= w!) continue;
          for (let ch = 0; ch < c!; ch++) {
            const oi = out * c! + ch;
            const ii = ((b * h! + yy) * w! + xx) * c! + ch;
            y[oi] = y[oi]! + wt * (x[ii] as number);
            taps.push([oi, ii, wt]);
          }
        }
      }
  return { y, taps, nearTie };
}

function adjoint(taps: [number, number, number][], dy: ArrayLike<number>, size: number): Float64Array {
  const dx = new Float64Array(size);
  for (const [oi, ii, wt] of taps) dx[ii] = dx[ii]! + wt * (dy[oi] as number);
  return dx;
}

const SHAPE = [4, 5, 7, 2];
const OUT = [6, 4];
// Per sample (x, y): zoom in, zoom out, a flip, and a shift that puts most of the grid outside.
const SCALE = [
  [0.613, 0.457],
  [1.71, 1.29],
  [-0.83, 1.13],
  [1.03, 0.91],
];
const s5 = uniformArray(8, 5, -1, 1);
const OFFSET = [
  [0.1 * s5[0]!, 0.2 * s5[1]!],
  [0.3 * s5[2]!, -0.25],
  [0.2, 0.1 * s5[3]!],
  [1.31, -1.46],
];

const neighborFixture = sharedPath('fixtures', 'parity', 'neighbor_mae.safetensors');

for (const backend of testBackends()) {
  describe(`resampleAxisAligned on ${backend}`, () => {
    numericSuite(backend);

    for (const mode of ['bilinear', 'nearest'] as const) {
      it(`${mode}: equals grid_sample(align_corners=False, zeros) in float64, with its image gradient`, () => {
        const xs = randomArray(SHAPE.reduce((a, d) => a * d), 1);
        const x = tf.tensor4d(xs, SHAPE as [number, number, number, number]);
        const scale = tf.tensor2d(SCALE);
        const offset = tf.tensor2d(OFFSET);
        const outShape = [SHAPE[0]!, OUT[0]!, OUT[1]!, SHAPE[3]!];
        const dys = randomArray(outShape.reduce((a, d) => a * d), 2);
        const dy = tf.tensor(dys, outShape);
        const f = (a: tf.Tensor) => resampleAxisAligned(a as tf.Tensor4D, scale, offset, mode, OUT as [number, number]);
        expect(tf.tidy(() => f(x).shape)).toEqual(outShape);
        const [y, dx] = valueAndGrads(f, [x], dy);
        const ref = refResample(xs, SHAPE, SCALE, OFFSET, mode, OUT);
        // The scales are chosen so no nearest sample is within 1e-4 px of a rounding tie (where float32
        // and float64 could round differently); exact ties are tested separately below.
        expect(ref.nearTie.every((v) => v === 0)).toBe(true);
        expectClose(y as Float64Array, ref.y, 1e-5, 'y');
        // Some output pixels of sample 3 fall outside the source: they are exactly 0.
        expect(Array.from((y as Float64Array).slice(3 * 6 * 4 * 2)).filter((v) => v === 0).length).toBeGreaterThan(8);
        expectClose(dx as Float64Array, adjoint(ref.taps, dys, xs.length), 1e-5, 'dx');
        checkGradients(f, [x], { step: 0.5, tolerance: 1e-5 });
        tf.dispose([x, scale, offset, dy]);
      });
    }

    it('is the identity for scale 1, offset 0 at the input size (bilinear and nearest)', () => {
      const x = tf.tensor4d(randomArray(2 * 4 * 5 * 3, 3), [2, 4, 5, 3]);
      const one = tf.ones([2, 2]) as tf.Tensor2D;
      const zero = tf.zeros([2, 2]) as tf.Tensor2D;
      tf.tidy(() => {
        for (const mode of ['bilinear', 'nearest'] as const) expectClose(resampleAxisAligned(x, one, zero, mode).dataSync(), x.dataSync(), 0, mode);
      });
      tf.dispose([x, one, zero]);
    });

    it('nearest rounds exact ties half to even, like grid_sample', () => {
      // scale 1, offset +½ pixel (0.25 in normalised units at width 4): source columns 0.5, 1.5, 2.5, 3.5 → 0, 2, 2, (4 = outside).
      const x = tf.tensor4d([10, 11, 12, 13], [1, 1, 4, 1]);
      const scale = tf.tensor2d([[1, 1]]);
      const offset = tf.tensor2d([[0.25, 0]]);
      const y = tf.tidy(() => resampleAxisAligned(x, scale, offset, 'nearest').dataSync());
      expect(Array.from(y)).toEqual([10, 12, 12, 0]);
      // Bilinear at the same points averages the neighbours (and half of the last pixel with the zero padding).
      const yb = tf.tidy(() => resampleAxisAligned(x, scale, offset, 'bilinear').dataSync());
      expectClose(yb, [10.5, 11.5, 12.5, 6.5], 1e-6, 'bilinear');
      tf.dispose([x, scale, offset]);
    });

    it.skipIf(!neighborFixture)('reproduces NeighborMAE’s cross-projection of images and visible masks (parity fixture)', () => {
      const fx = loadSafetensors(neighborFixture as string);
      try {
        const pos = fx['input/pos']!.arraySync() as number[][][]; // [B, 2, 4] l, t, r, b
        const [b, k] = [pos.length, 2];
        // Image k samples image o = 1 − k: scale = size_k / size_o, offset = 2(c_k − c_o)/size_o (y negated: image rows go down).
        const scale: number[][] = [];
        const offset: number[][] = [];
        for (let s = 0; s < b; s++)
          for (let v = 0; v < k; v++) {
            const [l, t, r, bt] = pos[s]![v]!;
            const [lo, to, ro, bo] = pos[s]![1 - v]!;
            const size = [Math.abs(r! - l!), Math.abs(bt! - t!)];
            const sizeO = [Math.abs(ro! - lo!), Math.abs(bo! - to!)];
            scale.push([size[0]! / sizeO[0]!, size[1]! / sizeO[1]!]);
            offset.push([((l! + r!) / 2 - (lo! + ro!) / 2) * (2 / sizeO[0]!), -((t! + bt!) / 2 - (to! + bo!) / 2) * (2 / sizeO[1]!)]);
          }
        tf.tidy(() => {
          const nhwc = (t: tf.Tensor) => t.reshape([b * k, ...t.shape.slice(2)]).transpose([0, 2, 3, 1]) as tf.Tensor4D;
          const swap = (t: tf.Tensor4D) => t.reshape([b, k, ...t.shape.slice(1)]).reverse(1).reshape(t.shape) as tf.Tensor4D; // view o for view k
          const sc = tf.tensor2d(scale);
          const of = tf.tensor2d(offset);
          // Visible masks: nearest, compared exactly.
          const vis = nhwc(fx['output/visible_mask']!.toFloat());
          const visProj = resampleAxisAligned(swap(vis), sc, of, 'nearest');
          const refVis = nhwc(fx['output/visible_mask_proj']!.toFloat());
          expect(Array.from(visProj.dataSync())).toEqual(Array.from(refVis.dataSync()));
          // Images: bilinear, then normalised with the target view's per-patch mean and unbiased variance (p = 8).
          const img = nhwc(tf.stack([fx['input/img0']!, fx['input/img1']!], 1));
          const proj = resampleAxisAligned(swap(img), sc, of, 'bilinear');
          const p = 8;
          const [n, h, w, c] = img.shape;
          const patches = img.reshape([n, h / p, p, w / p, p, c]);
          const mean = patches.mean([2, 4, 5], true);
          const variance = patches.sub(mean).square().sum([2, 4, 5], true).div(p * p * c - 1);
          const norm = proj.reshape([n, h / p, p, w / p, p, c]).sub(mean).div(variance.add(1e-6).sqrt()).reshape(proj.shape);
          expectClose(norm.dataSync(), nhwc(fx['output/img_proj']!).dataSync(), 3e-5, 'img_proj');
        });
      } finally {
        tf.dispose(Object.values(fx));
      }
    });

    it('rejects bad scale/offset shapes, modes and output sizes', () => {
      tf.tidy(() => {
        const x = tf.zeros([2, 3, 3, 1]) as tf.Tensor4D;
        const ok = tf.ones([2, 2]) as tf.Tensor2D;
        expect(() => resampleAxisAligned(x, tf.ones([1, 2]) as tf.Tensor2D, ok)).toThrow(OpArgumentError);
        expect(() => resampleAxisAligned(x, ok, tf.ones([2, 3]) as tf.Tensor2D)).toThrow(/offset must be \[2, 2\]/);
        // @ts-expect-error deliberately wrong
        expect(() => resampleAxisAligned(x, ok, ok, 'bicubic')).toThrow(/'bilinear' or 'nearest'/);
        expect(() => resampleAxisAligned(x, ok, ok, 'bilinear', [0, 3])).toThrow(/outSize/);
      });
    });
  });
}

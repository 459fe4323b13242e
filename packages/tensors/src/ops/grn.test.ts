import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { testBackends } from '@terramae/testing';
import { checkGradients, expectClose, numericSuite, randomArray, referenceGradients, valueAndGrads } from '../testing-utils/index';
import { OpArgumentError } from './errors';
import { grn } from './grn';
import { leanVariableGrads } from '../autograd/lean-grads';

const SHAPE = [2, 3, 4, 5] as const; // N, H, W, C
const [N, H, W, C] = SHAPE;
const SIZE = N * H * W * C;

/** Float64 GRN: G = ‖x·vis‖₂ over (H, W) per sample (or over (N, H, W)), N = G / (mean_c G + eps), y = γ·x·N + β + x. */
function refGrn([x, g, b]: ArrayLike<number>[], eps: number, statistics: 'sample' | 'batch', vis?: ArrayLike<number>): Float64Array {
  const groups = statistics === 'batch' ? 1 : N;
  const norm = new Float64Array(groups * C);
  for (let n = 0; n < N; n++)
    for (let p = 0; p < H * W; p++)
      for (let c = 0; c < C; c++) {
        const v = x![(n * H * W + p) * C + c]! * (vis ? vis[n * H * W + p]! : 1);
        const gi = (statistics === 'batch' ? 0 : n) * C + c;
        norm[gi] = norm[gi]! + v * v;
      }
  for (let i = 0; i < norm.length; i++) norm[i] = Math.sqrt(norm[i]!);
  const y = new Float64Array(SIZE);
  for (let n = 0; n < N; n++) {
    const gRow = statistics === 'batch' ? 0 : n;
    let mean = 0;
    for (let c = 0; c < C; c++) mean += norm[gRow * C + c]!;
    mean /= C;
    for (let p = 0; p < H * W; p++)
      for (let c = 0; c < C; c++) {
        const i = (n * H * W + p) * C + c;
        y[i] = g![c]! * (x![i]! * (norm[gRow * C + c]! / (mean + eps))) + b![c]! + x![i]!;
      }
  }
  return y;
}

const xs = randomArray(SIZE, 1);
const gs = randomArray(C, 2, 0.5);
const bs = randomArray(C, 3, 0.1);
const dys = randomArray(SIZE, 4);
// Sample 0: a 2×2 block visible; sample 1: everything but one row visible.
const visArr = Float32Array.from({ length: N * H * W }, (_, i) => {
  const n = Math.floor(i / (H * W));
  const [r, c] = [Math.floor((i % (H * W)) / W), i % W];
  return n === 0 ? Number(r < 2 && c < 2) : Number(r !== 1);
});

for (const backend of testBackends()) {
  describe(`grn on ${backend}`, () => {
    numericSuite(backend);

    for (const [statistics, eps] of [
      ['sample', 1e-6],
      ['batch', 1e-4],
    ] as const) {
      it(`dense, ${statistics} statistics, eps ${eps}: values and gradients equal a float64 reference`, () => {
        const x = tf.tensor4d(xs, [...SHAPE]);
        const g = tf.tensor1d(gs);
        const b = tf.tensor1d(bs);
        const dy = tf.tensor4d(dys, [...SHAPE]);
        const [y, dx, dg, db] = valueAndGrads((a, gg, bb) => grn(a as tf.Tensor4D, gg as tf.Tensor1D, bb as tf.Tensor1D, { eps, statistics }), [x, g, b], dy);
        const ref = (inputs: ArrayLike<number>[]) => refGrn(inputs, eps, statistics);
        const [rdx, rdg, rdb] = referenceGradients(ref, [xs, gs, bs], dys);
        expectClose(y as Float64Array, ref([xs, gs, bs]), 1e-6, 'y');
        expectClose(dx as Float64Array, rdx!, 1e-5, 'dx');
        expectClose(dg as Float64Array, rdg!, 1e-5, 'dgamma');
        expectClose(db as Float64Array, rdb!, 1e-5, 'dbeta');
        tf.dispose([x, g, b, dy]);
      });
    }

    it('sample and batch statistics differ, and gamma/beta may be [1, 1, 1, C] (PyTorch layout)', () => {
      const x = tf.tensor4d(xs, [...SHAPE]);
      const g = tf.tensor4d(gs, [1, 1, 1, C]);
      const b = tf.tensor4d(bs, [1, 1, 1, C]);
      tf.tidy(() => {
        const s = grn(x, g as unknown as tf.Tensor1D, b as unknown as tf.Tensor1D, { eps: 1e-6 });
        const bt = grn(x, g as unknown as tf.Tensor1D, b as unknown as tf.Tensor1D, { eps: 1e-6, statistics: 'batch' });
        expect(s.shape).toEqual([...SHAPE]);
        expectClose(s.dataSync(), refGrn([xs, gs, bs], 1e-6, 'sample'), 1e-6, 'sample');
        expectClose(bt.dataSync(), refGrn([xs, gs, bs], 1e-6, 'batch'), 1e-6, 'batch');
        expect(s.sub(bt).abs().max().dataSync()[0]).toBeGreaterThan(1e-3);
      });
      tf.dispose([x, g, b]);
    });

    for (const statistics of ['sample', 'batch'] as const) {
      it(`with a visible mask (${statistics}): statistics over visible positions only; visible outputs ignore masked inputs`, () => {
        const x = tf.tensor4d(xs, [...SHAPE]);
        const g = tf.tensor1d(gs);
        const b = tf.tensor1d(bs);
        const vis = tf.tensor4d(visArr, [N, H, W, 1]);
        const f = (a: tf.Tensor) => grn(a as tf.Tensor4D, g, b, { eps: 1e-6, visible: vis, statistics });
        // The loss only looks at visible outputs: the gradient at masked inputs must be exactly 0.
        const visDy = tf.tidy(() => tf.tensor4d(dys, [...SHAPE]).mul(vis));
        const [y, dx] = valueAndGrads(f, [x], visDy);
        const ref = refGrn([xs, gs, bs], 1e-6, statistics, visArr);
        const visible = (i: number) => visArr[Math.floor(i / C)] === 1;
        expectClose(Array.from(y as Float64Array).filter((_, i) => visible(i)), Array.from(ref).filter((_, i) => visible(i)), 1e-6, 'visible y');
        expect(Array.from(dx as Float64Array).filter((_, i) => !visible(i)).every((v) => v === 0)).toBe(true);
        const [rdx] = referenceGradients((inp) => refGrn([inp[0]!, gs, bs], 1e-6, statistics, visArr), [xs], visDy.dataSync());
        expectClose(dx as Float64Array, rdx!, 1e-5, 'dx');
        // Replace every masked value: the visible outputs do not change at all.
        const other = tf.tidy(() => x.mul(vis).add(tf.scalar(1).sub(vis).mul(100)));
        const [y2] = valueAndGrads(f, [other], visDy);
        expect(Array.from(y2 as Float64Array).filter((_, i) => visible(i))).toEqual(Array.from(y as Float64Array).filter((_, i) => visible(i)));
        checkGradients(f, [x], { tolerance: 1e-3 });
        tf.dispose([x, g, b, vis, visDy, other]);
      });
    }

    it('stays finite (values and gradients) for an all-zero channel and an all-masked sample', () => {
      const data = Float32Array.from(xs);
      for (let i = 0; i < SIZE; i += C) data[i] = 0; // channel 0 is zero everywhere
      const x = tf.tensor4d(data, [...SHAPE]);
      const g = tf.tensor1d(gs);
      const b = tf.tensor1d(bs);
      const vis = tf.tensor4d(Float32Array.from(visArr, (v, i) => (i < H * W ? 0 : v)), [N, H, W, 1]);
      const dy = tf.tensor4d(dys, [...SHAPE]);
      const [y, dx, dg, db] = valueAndGrads((a, gg, bb) => grn(a as tf.Tensor4D, gg as tf.Tensor1D, bb as tf.Tensor1D, { eps: 1e-6, visible: vis }), [x, g, b], dy);
      for (const arr of [y, dx, dg, db]) expect((arr as Float64Array).every(Number.isFinite)).toBe(true);
      tf.dispose([x, g, b, vis, dy]);
    });

    it('differentiates through a mask made inside the loss and [1, 1, 1, C] gamma/beta (as the encoder does)', () => {
      const x = tf.tensor4d(xs, [...SHAPE]);
      const visFlat = tf.tensor1d(visArr);
      const [g, b] = tf.tidy(() => [tf.variable(tf.tensor4d(gs, [1, 1, 1, C])), tf.variable(tf.tensor4d(bs, [1, 1, 1, C]))]);
      const loss = () =>
        tf.tidy(() => {
          const vis = visFlat.reshape([N, H, W, 1]).mul(1) as tf.Tensor4D; // a fresh tensor of the forward pass
          return grn(x, g as unknown as tf.Tensor1D, b as unknown as tf.Tensor1D, { eps: 1e-6, visible: vis }).mul(vis).sum() as tf.Scalar;
        });
      const lean = leanVariableGrads(loss, [g as tf.Variable, b as tf.Variable]);
      const stock = tf.variableGrads(loss, [g as tf.Variable, b as tf.Variable]);
      for (const v of [g, b]) {
        const name = (v as tf.Variable).name;
        expect(lean.grads[name]?.shape).toEqual([1, 1, 1, C]);
        expectClose(lean.grads[name]!.dataSync(), stock.grads[name]!.dataSync(), 1e-5, name);
      }
      tf.dispose([x, visFlat, g, b, lean.value, stock.value, ...Object.values(lean.grads), ...Object.values(stock.grads).filter((t): t is tf.Tensor => t != null)]);
    });

    it('passes a finite-difference check (dense)', () => {
      const x = tf.tensor4d(xs, [...SHAPE]);
      const g = tf.tensor1d(gs);
      const b = tf.tensor1d(bs);
      checkGradients((a, gg, bb) => grn(a as tf.Tensor4D, gg as tf.Tensor1D, bb as tf.Tensor1D, { eps: 1e-6 }), [x, g, b], { tolerance: 1e-3 });
      tf.dispose([x, g, b]);
    });

    it('rejects mismatched gamma, visible masks and statistics', () => {
      tf.tidy(() => {
        const x = tf.zeros([...SHAPE]) as tf.Tensor4D;
        const g = tf.ones([C]) as tf.Tensor1D;
        expect(() => grn(x, tf.ones([4]) as tf.Tensor1D, g, { eps: 1e-6 })).toThrow(OpArgumentError);
        expect(() => grn(x, g, g, { eps: 1e-6, visible: tf.ones([N, H, W, 2]) as tf.Tensor4D })).toThrow(/visible must be \[2, 3, 4, 1\]/);
        // @ts-expect-error deliberately wrong
        expect(() => grn(x, g, g, { eps: 1e-6, statistics: 'channel' })).toThrow(/'sample' or 'batch'/);
      });
    });
  });
}

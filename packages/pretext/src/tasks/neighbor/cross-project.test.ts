import * as tf from '@tensorflow/tfjs';
import { Rng } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossProject, crossProjectionTransform } from './cross-project';
import { NeighborTaskError } from './errors';

type Box4 = [number, number, number, number];

/** PyTorch grid_sample(align_corners=False, zeros) of one NHWC image at an affine grid, written as loops. */
function gridSample(src: Float32Array, h: number, w: number, c: number, sx: number, sy: number, tx: number, ty: number, mode: 'bilinear' | 'nearest'): Float32Array {
  const out = new Float32Array(h * w * c);
  const at = (y: number, x: number, ch: number) => (y < 0 || y >= h || x < 0 || x >= w ? 0 : (src[(y * w + x) * c + ch] as number));
  const roundEven = (v: number) => {
    const f = Math.floor(v);
    const d = v - f;
    return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
  };
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const gx = (-1 + (2 * j + 1) / w) * sx + tx;
      const gy = (-1 + (2 * i + 1) / h) * sy + ty;
      const px = ((gx + 1) * w - 1) / 2;
      const py = ((gy + 1) * h - 1) / 2;
      for (let ch = 0; ch < c; ch++) {
        let v: number;
        if (mode === 'nearest') v = at(roundEven(py), roundEven(px), ch);
        else {
          const x0 = Math.floor(px);
          const y0 = Math.floor(py);
          const fx = px - x0;
          const fy = py - y0;
          v = at(y0, x0, ch) * (1 - fx) * (1 - fy) + at(y0, x0 + 1, ch) * fx * (1 - fy) + at(y0 + 1, x0, ch) * (1 - fx) * fy + at(y0 + 1, x0 + 1, ch) * fx * fy;
        }
        out[(i * w + j) * c + ch] = v;
      }
    }
  }
  return out;
}

/** The reference transform (NeighborMAE `proj`) for view k of a pair, in plain numbers. */
function transformOf(k: Box4, o: Box4): [number, number, number, number] {
  const size = (b: Box4) => [Math.abs(b[2] - b[0]), Math.abs(b[3] - b[1])];
  const center = (b: Box4) => [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
  const [sk, so, ck, co] = [size(k), size(o), center(k), center(o)];
  return [sk[0]! / so[0]!, sk[1]! / so[1]!, ((ck[0]! - co[0]!) * 2) / so[0]!, -((ck[1]! - co[1]!) * 2) / so[1]!];
}

describe('crossProject', () => {
  for (const backend of testBackends()) {
    describe(backend, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });

      it('with identical boxes returns the other view and its visibility unchanged', async () => {
        const rng = new Rng(1);
        const [h, w, c] = [4, 4, 2];
        const img = tf.tensor4d(rng.normalArray(2 * h * w * c), [2, h, w, c]);
        const vis = tf.tensor4d(Float32Array.from({ length: 2 * h * w }, (_, i) => i % 3 === 0 ? 1 : 0), [2, h, w, 1]);
        const boxes = tf.tensor3d([[[0, 32, 32, 0], [0, 32, 32, 0]]]);
        const before = tf.memory().numTensors;
        const r = crossProject(img, vis, boxes);
        const swapped = tf.reverse(img, 0);
        expect(Array.from(await r.image.data())).toEqual(Array.from(await swapped.data()).map((v) => expect.closeTo(v, 5)));
        const swappedVis = tf.reverse(vis, 0);
        expect(Array.from(await r.visible.data())).toEqual(Array.from(await swappedVis.data()));
        swapped.dispose();
        swappedVis.dispose();
        r.image.dispose();
        r.visible.dispose();
        expect(tf.memory().numTensors).toBe(before);
        [img, vis, boxes].forEach((t) => t.dispose());
      });

      it('equals grid_sample (bilinear image, nearest visibility, zeros outside) for random overlapping boxes', async () => {
        const rng = new Rng(7);
        const [pairs, h, w, c] = [3, 8, 6, 3];
        const boxes: Box4[][] = [];
        for (let s = 0; s < pairs; s++) {
          const pair: Box4[] = [];
          for (let v = 0; v < 2; v++) {
            const l = rng.uniform() * 10;
            const b = rng.uniform() * 10;
            pair.push([l, b + 12 + rng.uniform() * 10, l + 12 + rng.uniform() * 10, b]);
          }
          boxes.push(pair);
        }
        const imgData = rng.normalArray(pairs * 2 * h * w * c);
        const visData = Float32Array.from({ length: pairs * 2 * h * w }, () => (rng.uniform() < 0.5 ? 1 : 0));
        const img = tf.tensor4d(imgData, [pairs * 2, h, w, c]);
        const vis = tf.tensor4d(visData, [pairs * 2, h, w, 1]);
        const boxT = tf.tensor3d(boxes.flat().flat(), [pairs, 2, 4]);
        const r = crossProject(img, vis, boxT);
        const gotImg = await r.image.data();
        const gotVis = await r.visible.data();
        for (let s = 0; s < pairs; s++) {
          for (let v = 0; v < 2; v++) {
            const n = s * 2 + v;
            const o = s * 2 + (1 - v);
            const [sx, sy, tx, ty] = transformOf(boxes[s]![v]!, boxes[s]![1 - v]!);
            const wantImg = gridSample(imgData.subarray(o * h * w * c, (o + 1) * h * w * c), h, w, c, sx, sy, tx, ty, 'bilinear');
            const wantVis = gridSample(visData.subarray(o * h * w, (o + 1) * h * w), h, w, 1, sx, sy, tx, ty, 'nearest');
            wantImg.forEach((val, i) => expect(gotImg[n * h * w * c + i]).toBeCloseTo(val, 4));
            wantVis.forEach((val, i) => expect(gotVis[n * h * w + i]).toBe(val));
          }
        }
        [img, vis, boxT, r.image, r.visible].forEach((t) => t.dispose());
      });

      it('computes scale = s_k/s_o and offset = 2(c_k − c_o)/s_o with y negated', async () => {
        const boxes = tf.tensor3d([[[0, 10, 10, 0], [5, 20, 25, 0]]]);
        const { scale, offset } = crossProjectionTransform(boxes);
        expect(Array.from(await scale.data())).toEqual([0.5, 0.5, 2, 2]);
        const want = [...transformOf([0, 10, 10, 0], [5, 20, 25, 0]).slice(2), ...transformOf([5, 20, 25, 0], [0, 10, 10, 0]).slice(2)];
        Array.from(await offset.data()).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
        [boxes, scale, offset].forEach((t) => t.dispose());
      });

      it('rejects anything but pairs', () => {
        const img = tf.zeros([3, 4, 4, 1]) as tf.Tensor4D;
        const boxes = tf.zeros([1, 3, 4]) as tf.Tensor3D;
        expect(() => crossProject(img, img, boxes)).toThrow(NeighborTaskError);
        [img, boxes].forEach((t) => t.dispose());
      });
    });
  }
});

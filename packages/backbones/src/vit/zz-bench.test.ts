import * as tf from '@tensorflow/tfjs';
import { it, vi } from 'vitest';
import { Rng } from '@terramae/tensors';
import { useBackend } from '@terramae/testing';
import { createVit } from './factories';

const FAST = process.env.FAST_LINEAR === '1';
vi.mock('@terramae/tensors', async (orig) => {
  const mod = (await orig()) as typeof import('@terramae/tensors');
  if (process.env.FAST_LINEAR !== '1') return mod;
  const op = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
    save([x, w]);
    return {
      value: tf.matMul(x, w).add(b),
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [tf.matMul(dy, sw.transpose()), tf.matMul(sx.transpose(), dy), dy.sum(0)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const linear = (x: tf.Tensor, w: tf.Tensor2D, b?: tf.Tensor1D) => tf.tidy(() => {
    const [i, o] = w.shape;
    const flat = x.reshape([-1, i]);
    const y = b ? (op(flat, w, b) as tf.Tensor) : tf.matMul(flat as tf.Tensor2D, w);
    return y.reshape([...x.shape.slice(0, -1), o]);
  });
  return { ...mod, linear };
});

it('bench', async () => {
  await useBackend('wasm');
  for (const c of [3]) {
    const m = createVit('tiny', { patchSize: 8, imageSize: 64, inChannels: c, seed: 1 });
    const x = tf.randomNormal([8, 64, 64, c]) as tf.Tensor4D;
    const rng = new Rng(1);
    const ids: number[] = [];
    for (let r = 0; r < 8; r++) ids.push(...rng.permutation(64).slice(0, 16));
    const idsKeep = tf.tensor2d(ids, [8, 16], 'int32');
    const vars = [...m.trainableVariables().values()];
    const step = () => {
      const { value, grads } = tf.variableGrads(() => m.forward(x, { idsKeep }).features.square().mean() as tf.Scalar, vars);
      value.dataSync();
      Object.values(grads).forEach((g) => g.dataSync());
      tf.dispose([value, ...Object.values(grads)]);
    };
    for (let i = 0; i < 2; i++) step();
    const times: number[] = [];
    for (let i = 0; i < 8; i++) { const t0 = performance.now(); step(); times.push(performance.now() - t0); }
    const ftimes: number[] = [];
    for (let i = 0; i < 8; i++) { const t0 = performance.now(); tf.tidy(() => m.forward(x, { idsKeep }).features.dataSync()); ftimes.push(performance.now() - t0); }
    const info = await tf.profile(() => step());
    const agg = new Map<string, { n: number; ms: number }>();
    for (const k of info.kernels) {
      const t = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
      const a = agg.get(key) ?? { n: 0, ms: 0 };
      a.n++; a.ms += t; agg.set(key, a);
    }
    let tot = 0; for (const v of agg.values()) tot += v.ms;
    console.log('kernel total', tot.toFixed(0));
    for (const [k, v] of [...agg].sort((a, b) => b[1].ms - a[1].ms).slice(0, 22)) console.log(v.ms.toFixed(1).padStart(8), String(v.n).padStart(4), k);
    const med = (a: number[]) => a.sort((p, q) => p - q)[a.length >> 1]!.toFixed(0);
    console.log(`FAST=${FAST} C=${c}: fwd+bwd median ${med(times)} ms (min ${Math.min(...times).toFixed(0)}), fwd median ${med(ftimes)} ms`);
    tf.dispose([x, idsKeep]); m.dispose();
  }
});

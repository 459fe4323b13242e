import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import { useBackend } from '@terramae/testing';
import { createConvNeXtV2 } from '../src/convnextv2/factories';
import { randn, randomMask } from './convnextv2-utils';

it('tiny costs', async () => {
  for (const be of ['cpu', 'wasm']) {
    await useBackend(be);
    let t0 = performance.now();
    const m = createConvNeXtV2('tiny', { seed: 1 });
    const tBuild = performance.now() - t0;
    const px = be === 'cpu' ? 16 : 32;
    const x = randn([2, px, px, 12], 2) as tf.Tensor4D;
    const mask = randomMask(2, (px / 8) ** 2, 2, 3);
    const w = randn([2, px / 8, px / 8, 768], 4);
    const vars = m.namedParameters().map((p) => p.variable);
    const prof = await tf.profile(() => { const r = tf.variableGrads(() => m.forward(x, { mask }).features.mul(w).sum() as tf.Scalar, vars); tf.dispose([r.value, ...Object.values(r.grads)]); });
    const agg = new Map<string, [number, number]>();
    for (const k of prof.kernels) { const a = agg.get(k.name) ?? [0, 0]; a[0] += (k.kernelTimeMs as number) || 0; a[1]++; agg.set(k.name, a); }
    console.log(be, [...agg.entries()].sort((a, b) => b[1][0] - a[1][0]).slice(0, 8).map(([n, [t, c]]) => `${n} ${t.toFixed(0)}ms x${c}`).join(' | '));
    t0 = performance.now();
    const { value, grads } = tf.variableGrads(() => m.forward(x, { mask }).features.mul(w).sum() as tf.Scalar, vars);
    await Promise.all(Object.values(grads).map((g) => g.data()));
    const tGrad = performance.now() - t0;
    t0 = performance.now();
    for (const v of vars) { const g = grads[v.name]!; const s = tf.tidy(() => tf.stack([g.abs().max(), g.isFinite().all().toFloat()])); await s.data(); s.dispose(); tf.tidy(() => v.assign(v.sub(g.mul(1e-3)))); }
    const tUpd = performance.now() - t0;
    console.log(be, 'build', tBuild.toFixed(0), 'grad', tGrad.toFixed(0), 'check+update', tUpd.toFixed(0));
    tf.dispose([value, ...Object.values(grads), x, mask, w]); m.dispose();
  }
});

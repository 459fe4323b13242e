import { it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@terramae/tensors';
import { createBackbone } from '@terramae/backbones';

it('prof3', async () => {
  await initBackend({ backend: (process.env.BK ?? 'wasm') as 'wasm' });
  const bb = createBackbone('convnextv2_atto', { inChannels: 12, patchSize: 8 });
  const vars = bb.namedParameters().map((p) => p.variable);
  const x = tf.randomNormal([8, 56, 56, 12]) as tf.Tensor4D;
  const mask = tf.tensor2d(Array.from({ length: 8 * 49 }, (_, i) => (i % 5 < 3 ? 1 : 0)), [8, 49]);
  const info = await tf.profile(async () => {
    const { value, grads } = tf.variableGrads(() => { const o = bb.forward(x, { mask }) as any; const f = Object.values(o).find((v: any) => v instanceof tf.Tensor); return (f as tf.Tensor).square().mean() as tf.Scalar; }, vars);
    await value.data(); value.dispose(); tf.dispose(grads);
  });
  const by = new Map<string, { ms: number; n: number }>();
  for (const k of info.kernels) { const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0; const e = by.get(k.name) ?? { ms: 0, n: 0 }; e.ms += ms; e.n++; by.set(k.name, e); }
  console.log([...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15).map(([k, v]) => `${k} ${v.ms.toFixed(0)}ms x${v.n}`).join('\n'));
  const big = info.kernels.map(k => ({ name: k.name, ms: k.kernelTimeMs as number, shapes: JSON.stringify(k.inputShapes) })).sort((a,b)=>b.ms-a.ms).slice(0,10);
  console.log(big.map(b => `${b.name} ${b.ms.toFixed(0)} ${b.shapes}`).join('\n'));
});

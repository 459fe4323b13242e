import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import { useBackend } from '@terramae/testing';
import { convnextv2Atto } from '../src/convnextv2/factories';
import { randn, randomMask } from './convnextv2-utils';

it('bench atto 8x56x56x12 masked fwd+bwd', async () => {
  await useBackend('wasm');
  const m = convnextv2Atto({ seed: 1 });
  const x = randn([8, 56, 56, 12], 2) as tf.Tensor4D;
  const mask = randomMask(8, 49, 30, 3);
  const w = randn([8, 7, 7, 320], 4);
  const vars = m.namedParameters().map((p) => p.variable);
  for (let i = 0; i < 4; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const { value, grads } = tf.variableGrads(() => m.forward(x, { mask }).features.mul(w).sum() as tf.Scalar, vars);
    await Promise.all(Object.values(grads).map((g) => g.data()));
    const cpu = process.cpuUsage(c0);
    console.log('fwd+bwd wall ms', (performance.now() - t0).toFixed(0), 'process cpu ms', ((cpu.user + cpu.system) / 1000).toFixed(0));
    tf.dispose([value, ...Object.values(grads)]);
  }
});

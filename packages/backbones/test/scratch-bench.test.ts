import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import { useBackend } from '@terramae/testing';
import { convnextv2Atto } from '../src/convnextv2/factories';
import { randn, randomMask } from './convnextv2-utils';

it('bench atto 8x56x56x12 masked fwd+bwd', async () => {
  await useBackend(process.env.BE ?? 'wasm');
  const m = convnextv2Atto({ seed: 1 });
  const x = randn([8, 56, 56, 12], 2) as tf.Tensor4D;
  const mask = randomMask(8, 49, 30, 3);
  const w = randn([8, 7, 7, 320], 4);
  const vars = m.namedParameters().map((p) => p.variable);
  const times: number[] = [];
  const fwd: number[] = [];
  for (let i = 0; i < 4; i++) {
    let t0 = performance.now();
    const o = m.forward(x, { mask });
    await o.features.data();
    fwd.push(performance.now() - t0);
    tf.dispose([o.features, o.mask!]);
    t0 = performance.now();
    const { value, grads } = tf.variableGrads(() => m.forward(x, { mask }).features.mul(w).sum() as tf.Scalar, vars);
    await Promise.all(Object.values(grads).map((g) => g.data()));
    times.push(performance.now() - t0);
    tf.dispose([value, ...Object.values(grads)]);
  }
  console.log('fwd ms', fwd.map((t) => t.toFixed(0)).join(' '), '| fwd+bwd ms', times.map((t) => t.toFixed(0)).join(' '), 'numTensors', tf.memory().numTensors);
});

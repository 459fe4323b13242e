import { it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@terramae/tensors';
import { createBackbone } from '@terramae/backbones';

it('prof2', async () => {
  await initBackend({ backend: (process.env.BK ?? 'wasm') as 'wasm' });
  for (const cfg of [{}, { maskedGrnStatistics: 'sample' }]) {
    const bb = createBackbone('convnextv2_atto', { inChannels: 12, patchSize: 8, ...cfg });
    const vars = bb.namedParameters().map((p) => p.variable);
    const x = tf.randomNormal([8, 56, 56, 12]) as tf.Tensor4D;
    const mask = tf.tensor2d(Array.from({ length: 8 * 49 }, (_, i) => (i % 5 < 3 ? 1 : 0)), [8, 49]);
    for (const masked of [false, true]) for (let rep = 0; rep < 2; rep++) {
      const c0 = process.cpuUsage();
      const { value, grads } = tf.variableGrads(() => { const o = bb.forward(x, masked ? { mask } : {}) as any; const f = o.features ?? o.grid ?? o.tokens ?? Object.values(o).find((v: any) => v instanceof tf.Tensor); return (f as tf.Tensor).square().mean() as tf.Scalar; }, vars);
      await value.data();
      const c1 = process.cpuUsage(c0);
      console.log(JSON.stringify(cfg), 'masked', masked, rep, 'cpu s', ((c1.user + c1.system) / 1e6).toFixed(2));
      value.dispose(); tf.dispose(grads);
    }
    bb.dispose();
  }
});

import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import { Rng } from '@terramae/tensors';
import { useBackend } from '@terramae/testing';
import { createVit } from './factories';
it('bench', async () => {
  for (const backend of ['wasm', 'cpu']) {
    await useBackend(backend);
    for (const c of [3, 12]) {
      const m = createVit('tiny', { patchSize: 8, imageSize: 64, inChannels: c, seed: 1 });
      const x = tf.randomNormal([8, 64, 64, c]) as tf.Tensor4D;
      const rng = new Rng(1);
      const ids: number[] = [];
      for (let r = 0; r < 8; r++) ids.push(...rng.permutation(64).slice(0, 16));
      const idsKeep = tf.tensor2d(ids, [8, 16], 'int32');
      const vars = [...m.trainableVariables().values()];
      const step = async () => {
        const { value, grads } = tf.variableGrads(() => m.forward(x, { idsKeep }).features.square().mean() as tf.Scalar, vars);
        await value.data();
        await Promise.all(Object.values(grads).map((g) => g.data()));
        tf.dispose([value, ...Object.values(grads)]);
      };
      for (let i = 0; i < 3; i++) await step();
      const n = backend === 'cpu' ? 5 : 20;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await step();
      const ms = (performance.now() - t0) / n;
      const t1 = performance.now();
      for (let i = 0; i < n; i++) tf.tidy(() => m.forward(x, { idsKeep }).features.dataSync());
      const fms = (performance.now() - t1) / n;
      console.log(`${backend} C=${c}: forward+backward ${ms.toFixed(1)} ms, forward ${fms.toFixed(1)} ms`);
      tf.dispose([x, idsKeep]);
      m.dispose();
    }
  }
});

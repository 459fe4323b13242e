import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import { useBackend } from '@terramae/testing';
import { ConvNeXtV2 } from '../src/convnextv2/convnextv2';

it('prof', async () => {
  await useBackend(process.env.BE ?? 'cpu');
  const m = new ConvNeXtV2({ depths: [2, 2, 6, 2], dims: [8, 16, 32, 64], numClasses: 10, padding: 'finetune' });
  const x = tf.randomNormal([2, 56, 56, 12]) as tf.Tensor4D;
  const vars = [...m.trainableVariables().values()];
  const prof = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => m.classify(x).sum() as tf.Scalar, vars);
    value.dispose(); Object.values(grads).forEach((g) => g.dispose());
  });
  const agg = new Map<string, [number, number]>();
  for (const k of prof.kernels) { const a = agg.get(k.name) ?? [0, 0]; a[0] += (k.kernelTimeMs as number) || 0; a[1]++; agg.set(k.name, a); }
  console.log([...agg.entries()].sort((a, b) => b[1][0] - a[1][0]).slice(0, 15).map(([n, [t, c]]) => `${n} ${t.toFixed(0)}ms x${c}`).join('\n'));
});

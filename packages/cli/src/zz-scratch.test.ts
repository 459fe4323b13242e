import { it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@terramae/tensors';
import { mpMae, neighborMae, hybrid, buildModelFromRecipe } from '@terramae/recipes';
import { AdamW, buildParamGroups, constantSchedule, pretrain } from '@terramae/trainer';
import { MMEarthDataset } from '../../datasets/src/mmearth/mmearth-dataset';
import { DataLoader } from '../../datasets/src/loader/data-loader';
import { alignedCropTransform } from '../../datasets/src/loader/augment';

it('timing', async () => {
  await initBackend({ backend: (process.env.BK ?? 'wasm') as 'wasm' });
  const ds = await MMEarthDataset.open('/work/shared/fixtures/mmearth/data_eurosat_16_v001_64.h5', { split: 'all' });
  const recipe = mpMae({ scale: 'laptop' });
  const model = buildModelFromRecipe(recipe, { specs: ds.specs });
  console.log('params', model.namedParameters().reduce((a, p) => a + p.variable.size, 0));
  const loader = new DataLoader(ds, { batchSize: Number(process.env.BS ?? 8), seed: 0, transforms: [alignedCropTransform(56)] });
  let gen: AsyncGenerator<any> | undefined;
  const data = { next: async () => { gen ??= loader.stream(); const r = await gen.next(); return r.value; }, state: () => loader.state(), restore: (s: any) => loader.restore(s), batchesPerEpoch: loader.batchesPerEpoch };
  const opt = new AdamW(buildParamGroups(model.trainableVariables(), { weightDecay: 0.05 }), { betas: [0.9, 0.95] });
  const t0 = performance.now();
  const res = await pretrain({ model, data, optimizer: opt, schedule: constantSchedule(1e-3), totalSteps: Number(process.env.STEPS ?? 6), rng: new Rng(0), log: { onLog: (r) => console.log(r.step, r.loss.toFixed(3), r.seconds.toFixed(2), JSON.stringify(Object.fromEntries(Object.entries(r.tasks).map(([k, v]) => [k, +v.toFixed(3)])))) } });
  console.log('total', (performance.now() - t0) / 1000, res.steps, tf.memory().numTensors);
});

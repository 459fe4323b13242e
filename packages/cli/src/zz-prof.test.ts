import { it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@terramae/tensors';
import { mpMae, buildModelFromRecipe } from '@terramae/recipes';
import { disposeMask } from '@terramae/masking';
import { MMEarthDataset } from '../../datasets/src/mmearth/mmearth-dataset';
import { DataLoader } from '../../datasets/src/loader/data-loader';
import { alignedCropTransform } from '../../datasets/src/loader/augment';

it('prof', async () => {
  await initBackend({ backend: (process.env.BK ?? 'wasm') as 'wasm' });
  const ds = await MMEarthDataset.open('/work/shared/fixtures/mmearth/data_eurosat_16_v001_64.h5', { split: 'all' });
  const loader = new DataLoader(ds, { batchSize: 8, seed: 0, transforms: [alignedCropTransform(56)] });
  const gen = loader.stream();
  const batch = (await gen.next()).value!;
  const full = mpMae({ scale: 'laptop' });
  const only = process.env.ONLY ? process.env.ONLY.split(',') : full.tasks.map((t) => t.id as string);
  for (const id of only) {
    const recipe = { ...full, tasks: id === 'none' ? full.tasks.slice(0, 1) : full.tasks.filter((t) => t.id === id || (process.env.ONLY ?? '').includes(',')).filter(t => only.includes(t.id!)) };
    const model = buildModelFromRecipe(recipe, { specs: ds.specs });
    const vars = [...model.trainableVariables().values()];
    const rng = new Rng(0);
    for (let rep = 0; rep < 2; rep++) {
      const mask = model.sampleMask(batch, rng);
      const c0 = process.cpuUsage(); const t0 = performance.now();
      const { value, grads } = tf.variableGrads(() => model.computeLoss(batch, mask).total, vars);
      await value.data();
      const c1 = process.cpuUsage(c0);
      console.log(id, rep, 'cpu s', ((c1.user + c1.system) / 1e6).toFixed(2), 'wall', ((performance.now() - t0) / 1000).toFixed(2), 'tensors', tf.memory().numTensors, 'MB', (tf.memory().numBytes / 1e6).toFixed(0));
      value.dispose(); tf.dispose(grads); disposeMask(mask);
    }
    model.dispose();
    if (recipe.tasks.length > 1) break;
  }
});

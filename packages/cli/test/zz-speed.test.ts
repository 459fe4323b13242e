import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { useBackend } from '@terramae/testing';
import { DataLoader } from '@terramae/datasets';
import { streamIO, type CliContext } from '../src/context';
import { writeSyntheticDataset } from '../src/synth/write-synthetic';
import { openData } from '../src/data/open-data';
import { runPretraining } from '../src/train/run-pretraining';
import { tinyRecipe } from './tiny-recipes';
import './fixtures/tiny-backbones.mjs';
const quiet: CliContext = { io: { ...streamIO(), err: () => undefined, out: () => undefined }, setInterruptible: () => undefined, verbose: false, exitCode: 0 };
it('speed', async () => {
  await useBackend(process.env.BK ?? 'cpu');
  const data = join(mkdtempSync(join(tmpdir(), 'terramae-sp-')), 'data');
  await writeSyntheticDataset(data, { numLocations: 16, tileSize: 32, seed: 1 });
  const recipe = tinyRecipe('mp-mae', data, 10);
  const d = await openData(recipe, { purpose: 'pretrain' });
  const loader = new DataLoader(d.source, { batchSize: 4, seed: 0 });
  const gen = loader.stream();
  let t = performance.now();
  for (let i = 0; i < 10; i++) { const b = (await gen.next()).value!; for (const x of Object.values(b.modalities)) x.dispose(); }
  console.log('10 batches load ms', (performance.now() - t).toFixed(0));
  t = performance.now();
  await runPretraining({ recipe, out: mkdtempSync(join(tmpdir(), 'sp-')), picture: false }, quiet);
  console.log('10 steps ms', (performance.now() - t).toFixed(0));
});

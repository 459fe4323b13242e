import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { testBackends, useBackend } from '@terramae/testing';
import { streamIO, type CliContext } from '../src/context';
import { writeSyntheticDataset } from '../src/synth/write-synthetic';
import { runPretraining } from '../src/train/run-pretraining';
import { tinyRecipe } from './tiny-recipes';
import './fixtures/tiny-backbones.mjs';

const quiet: CliContext = { io: { ...streamIO(), err: () => undefined, out: () => undefined }, setInterruptible: () => undefined, verbose: false, exitCode: 0 };

describe('pretraining through the CLI pipeline leaks no tensor', () => {
  let data: string;
  beforeAll(async () => {
    // the fastest backend the suite runs on (wasm unless TERRAMAE_BACKENDS says otherwise)
    await useBackend(testBackends().includes('wasm') ? 'wasm' : (testBackends()[0] ?? 'cpu'));
    data = join(mkdtempSync(join(tmpdir(), 'terramae-leak-')), 'data');
    await writeSyntheticDataset(data, { numLocations: 16, tileSize: 32, seed: 1 });
  });

  it('50 steps of a tiny MP-MAE (data, model, optimiser, checkpoints, picture) leave tf.memory unchanged', async () => {
    const before = tf.memory().numTensors;
    const out = mkdtempSync(join(tmpdir(), 'terramae-leak-run-'));
    const summary = await runPretraining({ recipe: tinyRecipe('mp-mae', data, 50), out, checkpointEvery: 25, logEvery: 50 }, quiet);
    expect(summary.steps).toBe(50);
    expect(summary.picture).toBeDefined();
    expect(tf.memory().numTensors).toBe(before);
  });
});

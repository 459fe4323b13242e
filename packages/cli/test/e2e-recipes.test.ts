// End to end through the CLI: pretrain → checkpoint → resume → probe for MP-MAE (all 12 tasks),
// NeighborMAE and the two hybrids (ConvNeXt V2 and ViT), each on every test backend, with tiny
// models (fixtures/tiny-backbones.mjs) on a small synthetic Earth. Runs the CLI in process (the
// binary's own code path; test/bin.test.ts covers the spawned binary).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { testBackends, useBackend } from '@terramae/testing';
import { writeSyntheticDataset } from '../src/synth/write-synthetic';
import { runInProcess, tempDir } from './cli-harness';
import { tinyRecipe } from './tiny-recipes';
import './fixtures/tiny-backbones.mjs';

const RECIPES = ['mp-mae', 'neighbormae', 'hybrid-convnext', 'hybrid-vit'] as const;

describe('pretrain → checkpoint → resume → probe', () => {
  let data: string;
  beforeAll(async () => {
    data = join(tempDir('terramae-e2e-'), 'data');
    await writeSyntheticDataset(data, { numLocations: 24, tileSize: 32, seed: 3 });
  });

  for (const backend of testBackends()) {
    for (const preset of RECIPES) {
      it(`${preset} on ${backend}`, async () => {
        const dir = tempDir(`terramae-e2e-${preset}-`);
        const recipeFile = join(dir, 'recipe.json');
        writeFileSync(recipeFile, JSON.stringify(tinyRecipe(preset, data, 2)));
        const out = join(dir, 'run');
        await useBackend(backend);
        const tensorsBefore = tf.memory().numTensors;

        const first = await runInProcess(['pretrain', '--recipe', recipeFile, '--out', out, '--backend', backend, '--checkpoint-every', '1', '--json']);
        expect(first.code, first.stderr).toBe(0);
        const summary = JSON.parse(first.stdout) as { steps: number; lastTasks: Record<string, number>; checkpoint: string };
        expect(summary.steps).toBe(2);
        const taskIds = Object.keys(summary.lastTasks);
        expect(taskIds.length).toBe(tinyRecipe(preset, data).tasks.length);
        for (const id of taskIds) expect(Number.isFinite(summary.lastTasks[id])).toBe(true);
        expect(existsSync(join(out, 'checkpoints', 'checkpoint-00000001'))).toBe(true);
        expect(summary.checkpoint).toMatch(/checkpoint-00000002$/);

        // the run folder remembers its recipe: resuming needs only --out
        const resumed = await runInProcess(['pretrain', '--out', out, '--resume', '--steps', '3', '--backend', backend]);
        expect(resumed.code, resumed.stderr).toBe(0);
        expect(resumed.stderr).toMatch(/resuming from step 2/);
        expect(resumed.stdout).toMatch(/1 step \(to step 3\/3\)/);
        const steps = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step);
        expect(steps).toEqual([1, 2, 3]);

        const probe = await runInProcess(['probe', '--checkpoint', join(out, 'checkpoints', 'checkpoint-00000003'), '--split', 'all', '--folds', '2', '--backend', backend, '--json']);
        expect(probe.code, probe.stderr).toBe(0);
        const result = JSON.parse(probe.stdout) as { samples: number; encoder: { accuracy: { mean: number; values: number[] } } };
        expect(result.samples).toBeGreaterThan(10);
        expect(result.encoder.accuracy.values).toHaveLength(2);
        expect(result.encoder.accuracy.mean).toBeGreaterThanOrEqual(0);
        expect(result.encoder.accuracy.mean).toBeLessThanOrEqual(1);
        expect(tf.memory().numTensors).toBe(tensorsBefore);
      });
    }
  }

  it('fine-tunes (head only) a pretrained encoder and scores another split', async () => {
    const dir = tempDir('terramae-e2e-ft-');
    const recipeFile = join(dir, 'recipe.json');
    writeFileSync(recipeFile, JSON.stringify(tinyRecipe('mp-mae', data, 1)));
    const out = join(dir, 'run');
    expect((await runInProcess(['pretrain', '--recipe', recipeFile, '--out', out, '--backend', 'wasm', '--no-picture'])).code).toBe(0);
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const r = await runInProcess([
      'finetune', '--checkpoint', join(out, 'checkpoints', 'checkpoint-00000001'), '--linear', '--epochs', '2', '--batch-size', '4',
      '--test-split', 'val', '--backend', 'wasm', '--out', join(dir, 'ft'), '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { epochs: { loss: number }[]; test: { accuracy: number; samples: number }; weights: string };
    expect(result.epochs).toHaveLength(2);
    expect(Number.isFinite(result.epochs[1]!.loss)).toBe(true);
    expect(result.test.samples).toBeGreaterThan(0);
    expect(result.test.accuracy).toBeGreaterThanOrEqual(0);
    expect(existsSync(result.weights)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});

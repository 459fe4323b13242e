// The `terramae` binary, spawned as a user runs it (the test build of src/bin.ts, see
// global-setup.ts), on the shared fixtures and a small synthetic dataset.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackbone } from '@terramae/backbones';
import { readNpy } from '@terramae/datasets';
import { loadPthStateDict, loadSafetensorsRaw, tensorToRaw } from '@terramae/tensors';
import { sharedPath, useBackend } from '@terramae/testing';
import { savePth } from '../src/convert/pth-writer';
import { BIN, TINY_PLUGIN, tempDir, terramae, terramaeInterrupted } from './cli-harness';
import { sparseCheckpointOf } from './fixtures/sparse-checkpoint';
import { tinyRecipe } from './tiny-recipes';
import './fixtures/tiny-backbones.mjs';

const torchPth = sharedPath('fixtures', 'torch-pth');
const mmearth = sharedPath('fixtures', 'mmearth');
const plugin = ['--plugin', TINY_PLUGIN];
const noStack = /\n\s+at /;

describe('terramae binary: usage, help and exit codes', () => {
  it('is an executable ESM file with a shebang', () => {
    expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('prints help with every command and exits 0', () => {
    const r = terramae(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['demo', 'pretrain', 'probe', 'finetune', 'embed', 'synth', 'convert', 'inspect', 'recipes']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
  });

  it('exits 2 on an unknown command, an invalid value, or a bad backend name', () => {
    const unknown = terramae(['pretrian']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/terramae: unknown command 'pretrian'/);
    const steps = terramae(['pretrain', '--steps', 'many']);
    expect(steps.code).toBe(2);
    expect(steps.stderr).toMatch(/--steps <n>' argument 'many' is invalid\. expected a positive integer/);
    const backend = terramae(['probe', '--backend', 'tpu']);
    expect(backend.code).toBe(2);
    expect(backend.stderr).toMatch(/Allowed choices are auto, wasm, cpu, tensorflow, webgpu/);
  });

  it('exits 2 with a clear message for a recipe that is neither a file nor a preset', () => {
    const r = terramae(['recipes', 'show', 'mp-mea']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--recipe mp-mea: not a preset and not a file\. Presets: mp-mae, /);
    expect(r.stderr).not.toMatch(noStack);
  });

  it('exits 1 with the message and no stack trace on a runtime failure, and shows the stack with --verbose', () => {
    const dir = tempDir();
    const bad = join(dir, 'broken.safetensors');
    writeFileSync(bad, 'not a safetensors file at all');
    const r = terramae(['inspect', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^terramae: error: .*broken\.safetensors/m);
    expect(r.stderr).not.toMatch(noStack);
    const verbose = terramae(['--verbose', 'inspect', bad]);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(noStack);
  });

  it('refuses to run on the CPU when --gpu is asked for and no GPU backend is installed', () => {
    const r = terramae(['recipes', 'list']); // warm nothing; recipes never needs a backend
    expect(r.code).toBe(0);
    const gpu = terramae(['probe', '--random-init', '--recipe', 'mp-mae-tiny', '--gpu']);
    expect(gpu.code).toBe(1);
    expect(gpu.stderr).toMatch(/GPU was requested/);
    expect(gpu.stderr).toMatch(/CUDA 11\.2/);
  });
});

describe('terramae recipes', () => {
  it('lists the presets and shows one as YAML that parses back to the same recipe', () => {
    const list = terramae(['recipes', 'list', '--json']);
    expect(list.code).toBe(0);
    const names = (JSON.parse(list.stdout) as { name: string }[]).map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['mp-mae', 'neighbormae', 'hybrid-convnext', 'hybrid-vit']));
    const yaml = terramae(['recipes', 'show', 'neighbormae-laptop', '--format', 'yaml', '--set', 'schedule.epochs=30']);
    expect(yaml.code).toBe(0);
    const recipe = parse(yaml.stdout) as { schedule: { epochs: number }; input: { views: number } };
    expect(recipe.schedule.epochs).toBe(30);
    expect(recipe.input.views).toBe(2);
  });
});

describe.skipIf(!torchPth)('terramae convert and inspect on the PyTorch fixtures', () => {
  it('converts .pth to safetensors byte for byte (mixed dtypes, views, strides)', () => {
    const dir = tempDir();
    for (const [pth, expected] of [
      ['state_dict.pth', 'expected_state_dict.safetensors'],
      ['mixed.pth', 'expected_mixed.safetensors'],
    ] as const) {
      const out = join(dir, `${pth}.safetensors`);
      const r = terramae(['convert', join(torchPth!, pth), out]);
      expect(r.code, r.stderr).toBe(0);
      const got = loadSafetensorsRaw(out).tensors;
      const want = loadSafetensorsRaw(join(torchPth!, expected)).tensors;
      expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
      for (const k of Object.keys(want)) {
        expect(got[k]!.dtype).toBe(want[k]!.dtype);
        expect(Buffer.from(got[k]!.bytes).equals(Buffer.from(want[k]!.bytes)), k).toBe(true);
      }
    }
  });

  it('takes the model out of a training checkpoint and converts safetensors back to .pth', () => {
    const dir = tempDir();
    const st = join(dir, 'model.safetensors');
    expect(terramae(['convert', join(torchPth!, 'checkpoint.pth'), st]).code).toBe(0);
    const back = join(dir, 'model.pth');
    const r = terramae(['convert', st, back, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).tensors).toBeGreaterThan(0);
    const a = loadSafetensorsRaw(st).tensors;
    const b = loadPthStateDict(back);
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const k of Object.keys(a)) expect(Buffer.from(b[k]!.bytes).equals(Buffer.from(a[k]!.bytes))).toBe(true);
  });

  it('inspects a training checkpoint: where the state dict is, tensors, dtypes', () => {
    const r = terramae(['inspect', join(torchPth!, 'checkpoint.pth'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout) as { kind: string; stateDictKey: string[]; tensors: number; tensorList: { dtype: string }[] };
    expect(info.kind).toBe('pth');
    expect(info.stateDictKey).toEqual(['model']);
    expect(info.tensors).toBe(info.tensorList.length);
    expect(info.tensorList[0]!.dtype).toBe('F32');
  });
});

describe('terramae convert --mmearth-sparse', () => {
  beforeAll(async () => useBackend('cpu'));

  it('maps an MMEarth sparse FCMAE checkpoint to the dense encoder and drops the decoder', () => {
    const backbone = createBackbone('convnextv2_test', { inChannels: 12, patchSize: 8, stem: 'mmearth', seed: 5 });
    const dense = backbone.torchStateDict();
    const sparse = sparseCheckpointOf(dense);
    const dir = tempDir();
    const pth = join(dir, 'fcmae-sparse.pth');
    savePth(pth, Object.fromEntries(Object.entries(sparse).map(([k, t]) => [k, tensorToRaw(t)])));
    const out = join(dir, 'dense.safetensors');
    const r = terramae(['convert', pth, out, '--mmearth-sparse']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/left out 4: mask_token, proj\.weight, decoder\.0\.dwconv\.weight, pred\.weight/);
    const got = loadSafetensorsRaw(out).tensors;
    expect(Object.keys(got).sort()).toEqual(Object.keys(dense).sort());
    for (const [k, t] of Object.entries(dense)) {
      expect(Array.from(new Float32Array(got[k]!.bytes.slice().buffer)), k).toEqual(Array.from(t.dataSync()));
    }
    for (const t of [...Object.values(dense), ...Object.values(sparse)]) t.dispose();
    backbone.dispose();
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
  });
});

describe.skipIf(!mmearth)('terramae on the MMEarth fixture', () => {
  it('inspects the dataset: modalities, shapes, dtypes, sample count, splits, tile ids', () => {
    const r = terramae(['inspect', mmearth!, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout) as { samples: number; splits: Record<string, number>; modalities: { name: string; shape: number[]; dtype: string }[]; tileIds: string[] };
    expect(info.samples).toBe(16);
    expect(info.splits).toEqual({ train: 12, val: 2, test: 2 });
    expect(info.modalities.find((m) => m.name === 'sentinel2')).toEqual({ name: 'sentinel2', shape: [13, 64, 64], dtype: 'uint16' });
    expect(info.tileIds[0]).toMatch(/_\d+$/);
    const text = terramae(['inspect', mmearth!]);
    expect(text.stdout).toMatch(/16 samples, tile size 64; splits: train 12, val 2, test 2/);
  });

  it('probes a random-init encoder on it with a tile-info field as the label', () => {
    const dir = tempDir();
    const recipe = join(dir, 'recipe.json');
    writeFileSync(recipe, JSON.stringify({ ...tinyRecipe('mp-mae', mmearth!), input: { modality: 'sentinel2', size: 56 } }));
    const r = terramae([...plugin, 'probe', '--random-init', '--recipe', recipe, '--split', 'all', '--label-field', 'biome', '--folds', '2', '--backend', 'wasm', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { samples: number; encoder: { origin: string; accuracy: { values: number[] } } };
    expect(result.encoder.origin).toBe('random init (seed 0)');
    expect(result.encoder.accuracy.values).toHaveLength(2);
  });
});

describe('terramae synth → pretrain (Ctrl-C, resume) → embed', () => {
  const dir = tempDir('terramae-bin-');
  const data = join(dir, 'data');
  const out = join(dir, 'run');

  it('writes the synthetic dataset', () => {
    const r = terramae(['synth', '--out', data, '--locations', '16', '--tile-size', '32', '--seed', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote 16 synthetic tiles \(32 px\)/);
    expect(readdirSync(data).sort()).toEqual(['data_synthetic_32.h5', 'data_synthetic_32_band_stats.json', 'data_synthetic_32_splits.json', 'data_synthetic_32_tile_info.json']);
  });

  it('stops cleanly on SIGINT: saves a checkpoint, exits 130, and resumes from it', async () => {
    const recipe = join(dir, 'recipe.json');
    writeFileSync(recipe, JSON.stringify(tinyRecipe('mp-mae', data, 200)));
    const r = await terramaeInterrupted([...plugin, 'pretrain', '--recipe', recipe, '--out', out, '--backend', 'wasm', '--log-every', '1', '--no-picture'], /step 2\/200/);
    expect(r.signalled, r.stderr.slice(0, 2000)).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/interrupted; finishing this step and saving a checkpoint/);
    expect(r.stdout).toMatch(/^interrupted test-mp-mae: /m);
    const saved = readdirSync(join(out, 'checkpoints')).filter((n) => n.startsWith('checkpoint-'));
    expect(saved).toHaveLength(1);
    const step = Number(saved[0]!.slice('checkpoint-'.length));
    expect(step).toBeGreaterThanOrEqual(2);
    const resumed = terramae([...plugin, 'pretrain', '--out', out, '--resume', '--steps', String(step + 1), '--backend', 'wasm', '--no-picture']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`resuming from step ${step}`));
    expect(existsSync(join(out, 'checkpoints', `checkpoint-${String(step + 1).padStart(8, '0')}`))).toBe(true);
  });

  it('embeds the tiles with the pretrained encoder into .npy with ids', () => {
    const checkpoint = join(out, 'checkpoints', readdirSync(join(out, 'checkpoints')).sort().at(-1)!);
    const file = join(dir, 'features.npy');
    const r = terramae([...plugin, 'embed', data, '--checkpoint', checkpoint, '--out', file, '--backend', 'wasm']);
    expect(r.code, r.stderr).toBe(0);
    const features = readNpy(file);
    expect(features.shape).toEqual([16, 8]);
    const ids = JSON.parse(readFileSync(`${file}.ids.json`, 'utf8')) as string[];
    expect(ids).toHaveLength(16);
    expect(ids[0]).toMatch(/^synthetic_/);
  });
});

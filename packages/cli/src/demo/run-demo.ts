import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mpMae, validateRecipe, type Recipe } from '@terramae/recipes';
import type { CliContext } from '../context';
import { runProbe, type ProbeRunResult } from '../eval/run-probe';
import { syntheticFileName, writeSyntheticDataset } from '../synth/write-synthetic';
import { runPretraining, type PretrainingRunSummary } from '../train/run-pretraining';
import { formatDuration } from '../util/format';

/** Settings of the demo (the defaults fit a few minutes on 2 CPU cores with the wasm backend). */
export interface DemoOptions {
  /** Run folder (data, checkpoints, metrics, picture). */
  readonly out: string;
  /** Pretraining steps. */
  readonly steps: number;
  /** Synthetic tiles to generate. */
  readonly locations: number;
  readonly batchSize: number;
  /** Base learning rate (lr = blr · batch / 256). */
  readonly blr: number;
  /** Cross-validation folds of the probe. */
  readonly folds: number;
  readonly seed: number;
  /** Regenerate the data even when `<out>/data` holds it already. */
  readonly freshData?: boolean;
  /** Continue an interrupted demo from its latest checkpoint (default: start the pretraining over). */
  readonly resume?: boolean;
}

/** Defaults of {@link DemoOptions}, measured to take about 5–8 minutes on 2 cores (wasm). */
export const DEMO_DEFAULTS: Omit<DemoOptions, 'out'> = {
  steps: 160,
  locations: 384,
  batchSize: 4,
  blr: 0.03,
  folds: 5,
  seed: 0,
};

/**
 * The demo's recipe: MP-MAE with all 12 MMEarth pretext tasks and uncertainty weighting on a
 * ConvNeXt V2 atto, 56 px crops of 64 px tiles (MMEarth64's setting), the laptop preset with a
 * step budget and a base learning rate suited to a short run, on the synthetic data in `dataPath`.
 */
export function demoRecipe(options: Pick<DemoOptions, 'steps' | 'batchSize' | 'blr' | 'seed'>, dataPath: string): Recipe {
  const base = mpMae({ scale: 'laptop', seed: options.seed });
  return validateRecipe({
    ...base,
    name: 'demo-mp-mae-all-atto-56',
    description: `${base.description} Demo: ${options.steps} steps on the synthetic Earth.`,
    optimizer: { ...base.optimizer, blr: options.blr },
    schedule: { ...base.schedule, maxSteps: options.steps },
    batch: { size: options.batchSize, accumulate: 1 },
    data: { kind: 'mmearth', path: dataPath, split: 'train' },
  });
}

/** What the demo did. */
export interface DemoSummary {
  readonly data: string;
  readonly pretraining: PretrainingRunSummary;
  readonly probe?: ProbeRunResult;
  readonly seconds: number;
}

/**
 * The demo: write the synthetic multi-modal Earth, pretrain MP-MAE (12 tasks) on its training
 * tiles, then linear-probe the encoder on held-out tiles (validation and test sites, stratified
 * k-fold on the dominant land cover) against the same encoder at its random initialisation.
 */
export async function runDemo(options: DemoOptions, ctx: CliContext): Promise<DemoSummary> {
  const started = performance.now();
  const out = resolve(options.out);
  const dataDir = join(out, 'data');
  if (options.freshData || !existsSync(join(dataDir, syntheticFileName(64)))) {
    ctx.io.err(`[1/3] synthesising ${options.locations} tiles of a multi-modal Earth (12 MMEarth modalities) in ${dataDir}`);
    const synth = await writeSyntheticDataset(dataDir, { numLocations: options.locations, tileSize: 64, seed: options.seed, overwrite: true });
    ctx.io.err(`      ${synth.samples} tiles (${Object.entries(synth.splits).map(([k, n]) => `${k} ${n}`).join(', ')}) in ${formatDuration(synth.seconds)}`);
  } else {
    ctx.io.err(`[1/3] reusing the synthetic data in ${dataDir} (--fresh-data to regenerate)`);
  }
  const recipe = demoRecipe(options, dataDir);
  ctx.io.err(`[2/3] pretraining ${recipe.name}: ${recipe.tasks.length} tasks on ${recipe.backbone.name}, ${options.steps} steps`);
  const pretraining = await runPretraining(
    { recipe, out, checkpointEvery: Math.max(10, Math.ceil(options.steps / 4)), keepLast: 2, logEvery: 10, ...(options.resume ? { resume: 'latest' } : { overwrite: true }) },
    ctx,
  );
  if (pretraining.stoppedEarly || !pretraining.checkpoint) {
    return { data: dataDir, pretraining, seconds: (performance.now() - started) / 1000 };
  }
  ctx.io.err(`[3/3] linear probe on held-out tiles (val+test sites), pretrained vs random init`);
  const probe = await runProbe(
    { recipe, checkpoint: pretraining.checkpoint, baseline: true, split: 'val+test', folds: options.folds, seed: options.seed },
    ctx,
  );
  return { data: dataDir, pretraining, probe, seconds: (performance.now() - started) / 1000 };
}

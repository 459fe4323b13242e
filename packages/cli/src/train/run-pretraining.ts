import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataLoader } from '@terramae/datasets';
import { disposeMask } from '@terramae/masking';
import { buildModelFromRecipe, recipeToJson, type Recipe } from '@terramae/recipes';
import { Rng, type Batch } from '@terramae/tensors';
import { CHECKPOINT_FILES, createProgress, latestCheckpoint, loaderStream, pretrain, type CheckpointMeta, type StepRecord } from '@terramae/trainer';
import type { CliContext } from '../context';
import { UsageError } from '../errors';
import { openData } from '../data/open-data';
import { trainTransforms } from '../data/transforms';
import { formatDuration, formatNumber } from '../util/format';
import { optimizerFor, planTraining, scheduleFor, type TrainingPlan } from './plan';
import { writeReconstructionPicture } from './reconstruction';

/** Options of {@link runPretraining}. */
export interface PretrainingRunOptions {
  readonly recipe: Recipe;
  /** Run folder: `recipe.json`, `metrics.jsonl`, `checkpoints/`, `reconstruction.png`, `summary.json`. */
  readonly out: string;
  /** `latest` (in `<out>/checkpoints`) or a checkpoint folder to continue from. */
  readonly resume?: string;
  /** Save a checkpoint every N steps (and always at the end and on interrupt). Default 50. */
  readonly checkpointEvery?: number;
  /** Checkpoints to keep. Default 3. */
  readonly keepLast?: number;
  /** Print progress every N steps (when standard error is not a terminal). Default 10. */
  readonly logEvery?: number;
  /** Embedding-health metrics every N steps (0: off). Default 0. */
  readonly healthEvery?: number;
  /** Write `reconstruction.png` at the end. Default true. */
  readonly picture?: boolean;
  /** Bad examples: `fail` (default) or `skip`. */
  readonly badSamples?: 'fail' | 'skip';
  /** Start over in a run folder that already holds checkpoints (they are deleted). Default false: that is an error. */
  readonly overwrite?: boolean;
}

/** What a pretraining run did. */
export interface PretrainingRunSummary {
  readonly recipe: Recipe;
  readonly plan: TrainingPlan;
  readonly startStep: number;
  readonly steps: number;
  readonly stoppedEarly: boolean;
  /** Steps averaged at each end for the first-vs-last comparison (see {@link lossWindow}). */
  readonly window: number;
  /** Mean per-task losses of the first `window` steps of the run (of the whole run when resumed) and of the last `window`. */
  readonly firstTasks: Readonly<Record<string, number>>;
  readonly lastTasks: Readonly<Record<string, number>>;
  readonly firstLoss: number;
  readonly lastLoss: number;
  readonly checkpoint?: string;
  readonly picture?: string;
  readonly metrics: string;
  readonly seconds: number;
  readonly parameters: number;
}

/** The recipe a run folder was started with (`<out>/recipe.json`), if any. */
export function runRecipePath(out: string): string {
  return join(out, 'recipe.json');
}

function readRecords(path: string): StepRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as StepRecord);
}

/** Mean loss and per-task losses over some records. */
function meanOf(records: readonly StepRecord[]): { loss: number; tasks: Record<string, number> } {
  const tasks: Record<string, number> = {};
  for (const r of records) for (const [k, v] of Object.entries(r.tasks)) tasks[k] = (tasks[k] ?? 0) + v / records.length;
  return { loss: records.reduce((a, r) => a + r.loss / records.length, 0), tasks };
}

/** Steps averaged at each end of a run of `n` logged steps for the first-vs-last comparison. */
export function lossWindow(n: number): number {
  return Math.max(1, Math.min(10, Math.floor(n / 5)));
}

function resolveResume(out: string, resume: string | undefined): { path?: string; step: number } {
  if (!resume) return { step: 0 };
  const dir = join(out, 'checkpoints');
  const path = resume === 'latest' ? latestCheckpoint(dir) : resume;
  if (!path) return { step: 0 };
  const metaPath = join(path, CHECKPOINT_FILES.meta);
  if (!existsSync(metaPath)) throw new UsageError(`--resume ${resume}: ${path} is not a checkpoint folder (no ${CHECKPOINT_FILES.meta}).`);
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as CheckpointMeta;
  return { path, step: meta.step };
}

/**
 * Pretrain a recipe end to end: open the data (pairs for two-view recipes), build the model,
 * AdamW and the schedule, run the trainer's loop with checkpoints, JSONL metrics and a progress
 * display, write a reconstruction picture, and summarise per-task losses. An abort of
 * `ctx.signal` (SIGINT) finishes the current step, saves a checkpoint and returns with
 * `stoppedEarly`.
 */
export async function runPretraining(options: PretrainingRunOptions, ctx: CliContext): Promise<PretrainingRunSummary> {
  const { recipe } = options;
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  writeFileSync(runRecipePath(out), recipeToJson(recipe));
  const started = performance.now();
  const metrics = join(out, 'metrics.jsonl');
  const checkpoints = join(out, 'checkpoints');
  if (options.overwrite && !options.resume) {
    for (const p of [checkpoints, metrics, join(out, 'reconstruction.png'), join(out, 'summary.json')]) rmSync(p, { recursive: true, force: true });
  }
  const resumeFrom = resolveResume(out, options.resume);
  const existing = latestCheckpoint(checkpoints);
  if (!options.resume && existing) {
    throw new UsageError(
      `${out} already holds a run (latest checkpoint ${existing}); pass --resume to continue it, --overwrite to start over, or another --out.`,
    );
  }
  // a fresh run starts a fresh log; a resumed one drops what was logged after its checkpoint
  const kept = resumeFrom.path ? readRecords(metrics).filter((r) => r.step <= resumeFrom.step) : [];
  writeFileSync(metrics, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));

  const data = await openData(recipe, { purpose: 'pretrain' });
  ctx.io.err(`data: ${data.description}`);
  let model: ReturnType<typeof buildModelFromRecipe> | undefined;
  let optimizer: ReturnType<typeof optimizerFor> | undefined;
  try {
    const views = recipe.input.views ?? 1;
    const loader = new DataLoader(data.source, {
      batchSize: recipe.batch.size,
      seed: recipe.seed,
      transforms: trainTransforms(recipe.input.size, views, recipe.data.options?.pairs === 'crop'),
      badSamples: options.badSamples ?? 'fail',
    });
    const stream = loaderStream(loader);
    const plan = planTraining(recipe, loader.batchesPerEpoch);
    model = buildModelFromRecipe(recipe, { specs: data.specs });
    optimizer = optimizerFor(recipe, model, plan.lr);
    const parameters = model.parameterCount(true);
    ctx.io.err(
      `model: ${recipe.backbone.name} + ${recipe.tasks.length} task${recipe.tasks.length === 1 ? '' : 's'} (${model.taskIds.join(', ')}), ` +
        `${(parameters / 1e6).toFixed(2)}M trainable parameters`,
    );
    ctx.io.err(
      `plan: ${plan.totalSteps} steps (${plan.stepsPerEpoch}/epoch, ${formatNumber(plan.epochs)} epochs), batch ${recipe.batch.size}×${recipe.batch.accumulate}` +
        `${views > 1 ? ` pairs (${plan.effectiveBatch} images)` : ''}, peak lr ${plan.lr.toExponential(2)} (${recipe.schedule.kind})` +
        `${resumeFrom.path ? `; resuming from step ${resumeFrom.step} (${resumeFrom.path})` : ''}`,
    );
    if (resumeFrom.step >= plan.totalSteps) {
      ctx.io.err(`the checkpoint is at step ${resumeFrom.step}, the run has ${plan.totalSteps} steps: nothing to do (raise --steps to continue).`);
    }
    const progress = createProgress({
      total: plan.totalSteps,
      startStep: resumeFrom.step,
      stream: ctx.io.errStream,
      every: options.logEvery ?? 10,
      label: recipe.name,
    });
    let lastBatchForPicture: Batch | undefined;
    const picture = options.picture ?? true;
    ctx.setInterruptible(true);
    let result;
    try {
      result = await pretrain({
        model,
        data: stream,
        optimizer,
        schedule: scheduleFor(recipe, plan),
        totalSteps: plan.totalSteps,
        rng: new Rng(recipe.seed),
        accumulate: recipe.batch.accumulate,
        ...(recipe.optimizer.clipGradNorm ? { clipGradNorm: recipe.optimizer.clipGradNorm } : {}),
        checkpoint: { dir: checkpoints, every: options.checkpointEvery ?? 50, keepLast: options.keepLast ?? 3 },
        ...(resumeFrom.path ? { resume: resumeFrom.path } : {}),
        recipe,
        log: {
          every: 1,
          jsonl: metrics,
          onLog: progress.onLog,
        },
        healthEvery: options.healthEvery ?? 0,
        onStep: async (step, batch) => {
          // Let the event loop run (SIGINT handlers, stream writes): the step's own awaits resolve
          // as microtasks, so without this a run could finish before it sees Ctrl-C.
          await new Promise((resolveTick) => setImmediate(resolveTick));
          // keep a copy of the final batch for the picture (the loop disposes its own)
          if (picture && !lastBatchForPicture && (step === plan.totalSteps || ctx.signal?.aborted)) {
            lastBatchForPicture = cloneBatch(batch);
          }
        },
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
    } finally {
      ctx.setInterruptible(false);
      progress.stop();
    }
    let picturePath: string | undefined;
    if (lastBatchForPicture) {
      const batch = lastBatchForPicture;
      const mask = model.sampleMask(batch, new Rng(recipe.seed + 1));
      try {
        const path = join(out, 'reconstruction.png');
        if (await writeReconstructionPicture(path, model, batch, mask)) picturePath = path;
        else ctx.io.err('picture: skipped (the recipe has no MMEarth pixel task to draw)');
      } finally {
        disposeMask(mask);
        for (const t of Object.values(batch.modalities)) t.dispose();
        batch.boxes?.dispose();
        batch.labels?.dispose();
      }
    }
    const records = readRecords(metrics);
    const window = lossWindow(records.length);
    const first = records.length ? meanOf(records.slice(0, window)) : { loss: Number.NaN, tasks: {} };
    const last = records.length ? meanOf(records.slice(-window)) : { loss: result.lastLoss, tasks: result.lastTasks };
    const summary: PretrainingRunSummary = {
      recipe,
      plan,
      startStep: resumeFrom.step,
      steps: result.steps,
      stoppedEarly: result.stoppedEarly,
      window,
      firstTasks: first.tasks,
      lastTasks: last.tasks,
      firstLoss: first.loss,
      lastLoss: last.loss,
      ...(result.checkpoint ? { checkpoint: result.checkpoint } : {}),
      ...(picturePath ? { picture: picturePath } : {}),
      metrics,
      seconds: (performance.now() - started) / 1000,
      parameters,
    };
    writeFileSync(join(out, 'summary.json'), `${JSON.stringify({ ...summary, recipe: recipe.name }, null, 2)}\n`);
    return summary;
  } finally {
    optimizer?.dispose();
    model?.dispose();
    data.close();
  }
}

/** A copy of a batch whose tensors the caller owns. */
function cloneBatch(batch: Batch): Batch {
  return {
    ...batch,
    modalities: Object.fromEntries(Object.entries(batch.modalities).map(([k, t]) => [k, t.clone()])),
    ...(batch.boxes ? { boxes: batch.boxes.clone() } : {}),
    ...(batch.labels ? { labels: batch.labels.clone() } : {}),
  };
}

/** Rows of a per-task loss table: task, first, last, change (means over `window` steps at each end). */
export function lossTable(summary: Pick<PretrainingRunSummary, 'firstTasks' | 'lastTasks' | 'firstLoss' | 'lastLoss' | 'window'>): string[][] {
  const label = summary.window > 1 ? ` (mean of ${summary.window} steps)` : '';
  const rows: string[][] = [['task', `first${label}`, `last${label}`, 'change']];
  for (const [task, last] of Object.entries(summary.lastTasks)) {
    const first = summary.firstTasks[task] ?? Number.NaN;
    const change = Number.isFinite(first) && first !== 0 ? `${(((last - first) / Math.abs(first)) * 100).toFixed(0)}%` : '';
    rows.push([task, formatNumber(first), formatNumber(last), change]);
  }
  rows.push(['total (weighted)', formatNumber(summary.firstLoss), formatNumber(summary.lastLoss), '']);
  return rows;
}

/** `12 steps in 1m 05s` */
export function describeRun(summary: PretrainingRunSummary): string {
  const ran = summary.steps - summary.startStep;
  return `${ran} step${ran === 1 ? '' : 's'} (to step ${summary.steps}/${summary.plan.totalSteps}) in ${formatDuration(summary.seconds)}`;
}

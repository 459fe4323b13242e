import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataLoader } from '@terramae/datasets';
import { disposeMask } from '@terramae/masking';
import { buildModelFromRecipe, recipeToJson, type Recipe } from '@terramae/recipes';
import { Rng, type Batch } from '@terramae/tensors';
import { CHECKPOINT_FILES, createProgress, latestCheckpoint, pretrain, type CheckpointMeta, type StepRecord } from '@terramae/trainer';
import type { CliContext } from '../context';
import { UsageError } from '../errors';
import { LoaderStream } from '../data/loader-stream';
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
}

/** What a pretraining run did. */
export interface PretrainingRunSummary {
  readonly recipe: Recipe;
  readonly plan: TrainingPlan;
  readonly startStep: number;
  readonly steps: number;
  readonly stoppedEarly: boolean;
  /** Per-task losses of the first logged step of the run (of the whole run when resumed) and of the last. */
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

function readFirstRecord(path: string): StepRecord | undefined {
  if (!existsSync(path)) return undefined;
  const line = readFileSync(path, 'utf8').split('\n').find((l) => l.trim());
  return line ? (JSON.parse(line) as StepRecord) : undefined;
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
  const resumeFrom = resolveResume(out, options.resume);

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
    const stream = new LoaderStream(loader);
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
    const metrics = join(out, 'metrics.jsonl');
    const progress = createProgress({
      total: plan.totalSteps,
      startStep: resumeFrom.step,
      stream: ctx.io.errStream,
      every: options.logEvery ?? 10,
      label: recipe.name,
    });
    const history: StepRecord[] = [];
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
        checkpoint: { dir: join(out, 'checkpoints'), every: options.checkpointEvery ?? 50, keepLast: options.keepLast ?? 3 },
        ...(resumeFrom.path ? { resume: resumeFrom.path } : {}),
        recipe,
        log: {
          every: 1,
          jsonl: metrics,
          onLog: (record) => {
            history.push(record);
            progress.onLog(record);
          },
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
    const first = readFirstRecord(metrics) ?? history[0];
    const last = history.at(-1);
    const summary: PretrainingRunSummary = {
      recipe,
      plan,
      startStep: resumeFrom.step,
      steps: result.steps,
      stoppedEarly: result.stoppedEarly,
      firstTasks: first?.tasks ?? {},
      lastTasks: last?.tasks ?? result.lastTasks,
      firstLoss: first?.loss ?? Number.NaN,
      lastLoss: last?.loss ?? result.lastLoss,
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

/** Lines of a per-task loss table: task, first, last, change. */
export function lossTable(summary: Pick<PretrainingRunSummary, 'firstTasks' | 'lastTasks' | 'firstLoss' | 'lastLoss'>): string[][] {
  const rows: string[][] = [['task', 'first', 'last', 'change']];
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

import { DataLoader, type SampleSource } from '@terramae/datasets';
import type { Recipe } from '@terramae/recipes';
import { TerramaeError } from '@terramae/tensors';
import { crossValidate, extractFeatures, selectLabels, selectRows, type CrossValidationResult, type FeatureMatrix } from '@terramae/trainer';
import type { CliContext } from '../context';
import { openData, type OpenedData } from '../data/open-data';
import { centerCropTransform } from '../data/transforms';
import { loadEncoder, type LoadedEncoder } from './load-encoder';

/** Options of {@link runProbe}. */
export interface ProbeRunOptions {
  /** The recipe: its backbone, input size and modality, and its data (after `--data`). */
  readonly recipe: Recipe;
  /** Checkpoint folder, `.safetensors` or `.pth` of the encoder; omit for a random-init encoder. */
  readonly checkpoint?: string;
  /** Also probe the recipe's random-init encoder (the pretraining's starting point) as a baseline. */
  readonly baseline?: boolean;
  readonly mmearthSparse?: boolean;
  /** Split to evaluate (default: the data's `test` split; GeoTIFF folders: all files). */
  readonly split?: string;
  /** Tile-info field with the class of MMEarth-layout data (default `label`). */
  readonly labelField?: string;
  /** Folds of the stratified cross-validation. Default 5. */
  readonly folds?: number;
  /** `logistic` (default) or `knn`. */
  readonly method?: 'logistic' | 'knn';
  /** Samples per feature batch. Default 32. */
  readonly batchSize?: number;
  /** Seed of the folds. Default 0. */
  readonly seed?: number;
}

/** The probe of one encoder. */
export interface ProbeOutcome {
  readonly origin: string;
  readonly cv: CrossValidationResult;
}

/** What {@link runProbe} found. */
export interface ProbeRunResult {
  readonly data: string;
  readonly samples: number;
  readonly featureDim: number;
  readonly classes: readonly string[];
  /** Classes left out because they have fewer samples than folds. */
  readonly dropped: readonly string[];
  readonly folds: number;
  readonly probe: ProbeOutcome;
  readonly baseline?: ProbeOutcome;
}

/** Keep the samples of classes with at least `folds` samples (stratified k-fold needs them). */
export function keepFoldableClasses(features: FeatureMatrix, labels: Int32Array, folds: number): { features: FeatureMatrix; labels: Int32Array; dropped: number[] } {
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const dropped = [...counts].filter(([, n]) => n < folds).map(([c]) => c).sort((a, b) => a - b);
  if (dropped.length === 0) return { features, labels, dropped };
  const keep = Int32Array.from(labels.map((l, i) => (dropped.includes(l) ? -1 : i)).filter((i) => i >= 0));
  return { features: selectRows(features, keep), labels: selectLabels(labels, keep), dropped };
}

async function features(encoder: LoadedEncoder, source: SampleSource, recipe: Recipe, batchSize: number) {
  const loader = new DataLoader(source, { batchSize, shuffle: false, dropLast: false, transforms: [centerCropTransform(recipe.input.size)] });
  return extractFeatures(encoder.backbone, loader, { modality: recipe.input.modality });
}

async function probeEncoder(
  encoder: LoadedEncoder,
  data: OpenedData,
  options: ProbeRunOptions,
  folds: number,
): Promise<{ outcome: ProbeOutcome; samples: number; featureDim: number; dropped: number[] }> {
  const extracted = await features(encoder, data.source, options.recipe, options.batchSize ?? 32);
  if (!extracted.labels) throw new TerramaeError(`${data.description}: the samples carry no labels, so there is nothing to probe.`);
  const kept = keepFoldableClasses(extracted.features, extracted.labels, folds);
  if (kept.labels.length === 0 || new Set(kept.labels).size < 2) {
    throw new TerramaeError(
      `${data.description}: fewer than two classes have ${folds} or more samples; use more data or fewer --folds.`,
    );
  }
  const cv = await crossValidate(kept.features, kept.labels, { folds, seed: options.seed ?? 0, method: options.method ?? 'logistic' });
  return { outcome: { origin: encoder.origin, cv }, samples: kept.labels.length, featureDim: extracted.features.cols, dropped: kept.dropped };
}

/**
 * Linear probe (or kNN) of a frozen encoder with stratified k-fold cross-validation on a labelled
 * dataset: features are extracted once (central crop at the recipe's input size), classes with
 * fewer samples than folds are left out (and reported), and accuracy and macro-F1 are reported as
 * mean ± standard deviation over the folds. With `baseline`, the recipe's random-init encoder is
 * probed the same way.
 */
export async function runProbe(options: ProbeRunOptions, ctx: CliContext): Promise<ProbeRunResult> {
  const folds = options.folds ?? 5;
  const data = await openData(options.recipe, {
    purpose: 'eval',
    ...(options.split ? { split: options.split } : {}),
    ...(options.labelField ? { labelField: options.labelField } : {}),
  });
  ctx.io.err(`data: ${data.description}`);
  try {
    const run = async (checkpoint: string | undefined) => {
      const encoder = loadEncoder({
        ...(checkpoint ? { checkpoint } : {}),
        recipe: options.recipe,
        specs: data.specs,
        ...(options.mmearthSparse ? { mmearthSparse: true } : {}),
      });
      try {
        ctx.io.err(`encoder: ${encoder.origin}`);
        return await probeEncoder(encoder, data, options, folds);
      } finally {
        encoder.backbone.dispose();
      }
    };
    const main = await run(options.checkpoint);
    const baseline = options.baseline && options.checkpoint ? await run(undefined) : undefined;
    const names = data.labelNames;
    const name = (c: number) => names?.[c] ?? String(c);
    const present = Array.from({ length: main.outcome.cv.confusion.numClasses }, (_, c) => c);
    return {
      data: data.description,
      samples: main.samples,
      featureDim: main.featureDim,
      classes: present.filter((c) => !main.dropped.includes(c) && rowTotal(main.outcome.cv, c) > 0).map(name),
      dropped: main.dropped.map(name),
      folds,
      probe: main.outcome,
      ...(baseline ? { baseline: baseline.outcome } : {}),
    };
  } finally {
    data.close();
  }
}

function rowTotal(cv: CrossValidationResult, c: number): number {
  const m = cv.confusion;
  let total = 0;
  for (let j = 0; j < m.numClasses; j++) total += m.counts[c * m.numClasses + j] ?? 0;
  return total;
}

/** `0.734 ± 0.041 (5 folds)` */
export function formatScore(s: { mean: number; std: number; values: readonly number[] }): string {
  return `${s.mean.toFixed(3)} ± ${s.std.toFixed(3)} (${s.values.length} folds)`;
}

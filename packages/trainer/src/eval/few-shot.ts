import { scoreSplit, toHost, type LabelledFeatures, type ProbeEvaluationOptions, type ProbeScore } from './evaluate-probe';
import { EvaluationError } from './errors';
import { selectLabels, selectRows } from './features';
import { inferNumClasses } from './metrics/labels';
import { summarize, type ScoreSummary } from './metrics/summary';
import { resolveProbeMethod } from './probe/probe-method';
import { fewShotSubset, type FewShotSize } from './split/few-shot-subset';

/** Options of {@link fewShotEvaluate}. */
export interface FewShotOptions extends ProbeEvaluationOptions {
  /** Training samples kept: `{ perClass: n }` or `{ fraction: f }` (stratified). */
  readonly size: FewShotSize;
  /** Seeds of the repeated draws, or how many (seeds 0..n−1). Default 5. */
  readonly seeds?: number | readonly number[];
}

/** One draw of a few-shot evaluation. */
export interface FewShotRun extends ProbeScore {
  readonly seed: number;
}

/** What {@link fewShotEvaluate} returns. */
export interface FewShotResult {
  readonly method: string;
  readonly size: FewShotSize;
  readonly runs: readonly FewShotRun[];
  readonly accuracy: ScoreSummary;
  readonly macroF1: ScoreSummary;
}

/**
 * Label-efficiency evaluation: for each seed, draw a stratified subset of the training features
 * (`n` per class or a fraction, as GEO-Bench's `0.01x_train` partitions), fit the probe on it,
 * score the full test set; report every run and the mean and spread over seeds.
 */
export async function fewShotEvaluate(train: LabelledFeatures, test: LabelledFeatures, options: FewShotOptions): Promise<FewShotResult> {
  const tr = await toHost(train, 'fewShotEvaluate (train)');
  const te = await toHost(test, 'fewShotEvaluate (test)');
  const c = inferNumClasses('fewShotEvaluate', options.numClasses, tr.labels, te.labels);
  const method = resolveProbeMethod(options.method);
  const seedsOption = options.seeds ?? 5;
  const seeds = typeof seedsOption === 'number' ? Array.from({ length: seedsOption }, (_, i) => i) : [...seedsOption];
  if (seeds.length === 0) throw new EvaluationError('fewShotEvaluate: seeds is empty; pass a count >= 1 or a list of seeds.');
  const runs: FewShotRun[] = [];
  for (const seed of seeds) {
    const idx = fewShotSubset(tr.labels, options.size, seed);
    const score = await scoreSplit(method, selectRows(tr.features, idx), selectLabels(tr.labels, idx), te.features, te.labels, c);
    runs.push({ seed, ...score });
  }
  return {
    method: method.name,
    size: options.size,
    runs,
    accuracy: summarize(runs.map((r) => r.accuracy)),
    macroF1: summarize(runs.map((r) => r.macroF1)),
  };
}

import { EvaluationError } from '../errors';
import type { FeatureMatrix } from '../features';
import { stratifiedKFold } from '../split/stratified-k-fold';
import { selectLabels, selectRows } from '../features';
import { accuracy } from '../metrics/accuracy';
import { knnPredict, type KnnOptions } from './knn';
import { fitLogisticRegression, type LogisticRegressionOptions } from './logistic-regression';
import { normalizeFeatures, type FeatureNorm } from './standardizer';

/**
 * A way to score frozen features: fit on training rows, predict test rows. The built-in ones are
 * {@link logisticProbe} and {@link knnProbe}; implement this for your own (an MLP, an SVM).
 */
export interface ProbeMethod {
  /** Name for reports, e.g. `logistic` or `knn-20`. */
  readonly name: string;
  /** Class predictions for `test`, having seen `train` with its labels. */
  fitPredict(train: FeatureMatrix, labels: Int32Array, test: FeatureMatrix, numClasses: number): Promise<Int32Array> | Int32Array;
}

/** Options of {@link logisticProbe}. */
export interface LogisticProbeOptions extends Omit<LogisticRegressionOptions, 'numClasses' | 'l2'> {
  /** Feature normalisation before the classifier. Default `standardize`. */
  readonly norm?: FeatureNorm;
  /**
   * L2 penalty (see `fitLogisticRegression`), or candidates chosen by an inner stratified
   * cross-validation on the training rows (highest accuracy; the smaller penalty on ties).
   */
  readonly l2?: number | readonly number[];
  /** Folds of the inner cross-validation that picks `l2`. Default 3. */
  readonly innerFolds?: number;
}

/**
 * The linear probe: features normalised (standardised with the training statistics by default,
 * the evaluation-time equivalent of MAE's BatchNorm-without-affine head; `layernorm` for
 * MMEarth's frozen LayerNorm), then an L2-regularised multinomial logistic regression fitted
 * full-batch with L-BFGS.
 */
export function logisticProbe(options: LogisticProbeOptions = {}): ProbeMethod {
  const norm = options.norm ?? 'standardize';
  const { l2, innerFolds = 3, ...lr } = options;
  const fitOne = (train: FeatureMatrix, labels: Int32Array, test: FeatureMatrix, numClasses: number, penalty: number | undefined) => {
    const z = normalizeFeatures(norm, train, test);
    return fitLogisticRegression(z.train, labels, { ...lr, numClasses, ...(penalty !== undefined ? { l2: penalty } : {}) }).predict(z.test as FeatureMatrix);
  };
  return {
    name: 'logistic',
    fitPredict(train, labels, test, numClasses) {
      if (!Array.isArray(l2)) return fitOne(train, labels, test, numClasses, l2 as number | undefined);
      const candidates = l2 as readonly number[];
      if (candidates.length === 0) throw new EvaluationError('logisticProbe: l2 candidates are empty; pass a number or a non-empty list.');
      let best = candidates[0] as number;
      let bestScore = -1;
      const counts = new Map<number, number>();
      for (const y of labels) counts.set(y, (counts.get(y) ?? 0) + 1);
      const folds = Math.min(innerFolds, ...counts.values());
      if (folds < 2) {
        throw new EvaluationError(
          `logisticProbe: choosing l2 among ${candidates.length} values needs at least 2 training samples of every class for an inner cross-validation; pass a single l2 for this (few-shot) training set.`,
        );
      }
      const splits = stratifiedKFold(labels, folds, 0);
      for (const penalty of [...candidates].sort((a, b) => a - b)) {
        let score = 0;
        for (const f of splits) {
          const pred = fitOne(selectRows(train, f.train), selectLabels(labels, f.train), selectRows(train, f.test), numClasses, penalty);
          score += accuracy(pred, selectLabels(labels, f.test)) * f.test.length;
        }
        if (score > bestScore) {
          bestScore = score;
          best = penalty;
        }
      }
      return fitOne(train, labels, test, numClasses, best);
    },
  };
}

/** Options of {@link knnProbe}. */
export interface KnnProbeOptions extends Omit<KnnOptions, 'numClasses'> {
  /** Feature normalisation before the cosine similarity. Default `none`. */
  readonly norm?: FeatureNorm;
}

/** The k-NN probe: cosine similarity, `k` neighbours, weighted (DINO) or majority vote. */
export function knnProbe(options: KnnProbeOptions = {}): ProbeMethod {
  const { norm = 'none', ...knn } = options;
  return {
    name: `knn-${knn.k ?? 20}`,
    fitPredict(train, labels, test, numClasses) {
      const z = normalizeFeatures(norm, train, test);
      return knnPredict(z.train, labels, z.test as FeatureMatrix, { ...knn, numClasses });
    },
  };
}

/** `'logistic'` and `'knn'` with default options, or a method as is. */
export function resolveProbeMethod(method: 'logistic' | 'knn' | ProbeMethod | undefined): ProbeMethod {
  if (method === undefined || method === 'logistic') return logisticProbe();
  if (method === 'knn') return knnProbe();
  if (typeof method === 'object' && typeof method.fitPredict === 'function') return method;
  throw new EvaluationError(`probe method must be 'logistic', 'knn' or a ProbeMethod (with fitPredict), got ${JSON.stringify(method)}.`);
}

import type * as tf from '@tensorflow/tfjs';
import { EvaluationError } from './errors';
import { checkLabels, featuresFromTensor, type FeatureMatrix } from './features';
import { accuracyFromConfusion } from './metrics/accuracy';
import { confusionMatrix, type ConfusionMatrix } from './metrics/confusion-matrix';
import { inferNumClasses } from './metrics/labels';
import { macroF1FromConfusion } from './metrics/macro-f1';
import { resolveProbeMethod, type ProbeMethod } from './probe/probe-method';

/** Features and their labels: host matrices, or tensors (read once, asynchronously, not disposed). */
export interface LabelledFeatures {
  readonly features: FeatureMatrix | tf.Tensor2D;
  readonly labels: ArrayLike<number> | tf.Tensor1D;
}

/** Scores of one train/test evaluation. */
export interface ProbeScore {
  readonly trainSize: number;
  readonly testSize: number;
  readonly accuracy: number;
  readonly macroF1: number;
  /** Test confusion matrix (rows = truth); its counts add up to `testSize`. */
  readonly confusion: ConfusionMatrix;
}

/** Options shared by the probe evaluations. */
export interface ProbeEvaluationOptions {
  /** `logistic` (default), `knn`, or a {@link ProbeMethod}. */
  readonly method?: 'logistic' | 'knn' | ProbeMethod;
  /** Classes (default: one more than the largest label seen). */
  readonly numClasses?: number;
}

function isTensor(x: unknown): x is tf.Tensor {
  return typeof x === 'object' && x !== null && 'dataId' in x && 'shape' in x;
}

/** Host copies of features and labels (tensors are read with `data()`). */
export async function toHost(set: LabelledFeatures, where: string): Promise<{ features: FeatureMatrix; labels: Int32Array }> {
  const features = isTensor(set.features) ? await featuresFromTensor(set.features as tf.Tensor2D) : (set.features as FeatureMatrix);
  const raw = isTensor(set.labels) ? await (set.labels as tf.Tensor1D).data() : (set.labels as ArrayLike<number>);
  const labels = Int32Array.from(raw as ArrayLike<number>);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== (raw[i] as number)) throw new EvaluationError(`${where}: label ${raw[i]} of sample ${i} is not an integer class index.`);
  }
  checkLabels(features, labels, where);
  return { features, labels };
}

/** Fit a probe on training features and score it on test features. */
export async function evaluateProbe(train: LabelledFeatures, test: LabelledFeatures, options: ProbeEvaluationOptions = {}): Promise<ProbeScore> {
  const tr = await toHost(train, 'evaluateProbe (train)');
  const te = await toHost(test, 'evaluateProbe (test)');
  const c = inferNumClasses('evaluateProbe', options.numClasses, tr.labels, te.labels);
  return scoreSplit(resolveProbeMethod(options.method), tr.features, tr.labels, te.features, te.labels, c);
}

/** Fit `method` on one split and score it (host arrays). */
export async function scoreSplit(method: ProbeMethod, trainX: FeatureMatrix, trainY: Int32Array, testX: FeatureMatrix, testY: Int32Array, numClasses: number): Promise<ProbeScore> {
  const pred = await method.fitPredict(trainX, trainY, testX, numClasses);
  if (pred.length !== testX.rows) throw new EvaluationError(`probe '${method.name}' returned ${pred.length} predictions for ${testX.rows} test rows.`);
  const confusion = confusionMatrix(pred, testY, { numClasses });
  return { trainSize: trainX.rows, testSize: testX.rows, accuracy: accuracyFromConfusion(confusion), macroF1: macroF1FromConfusion(confusion), confusion };
}

import * as tf from '@tensorflow/tfjs';
import { EvaluationError } from '../errors';
import { checkLabels, type FeatureMatrix } from '../features';
import { inferNumClasses, type LabelArray } from '../metrics/labels';
import { lbfgs } from './lbfgs';

/** Options of {@link fitLogisticRegression}. */
export interface LogisticRegressionOptions {
  /**
   * L2 penalty λ in `mean cross-entropy + λ/2·‖W‖²` (the bias is not penalised). Default `1/n`,
   * which is sklearn's `LogisticRegression(C=1)` (its objective `C·Σ CE + ½‖W‖²` divided by `C·n`).
   */
  readonly l2?: number;
  /** Classes (default: one more than the largest label). */
  readonly numClasses?: number;
  /** L-BFGS iterations at most. Default 300. */
  readonly maxIterations?: number;
  /** Stop when the largest gradient component is below this. Default 1e-4 (sklearn's `tol`). */
  readonly tolerance?: number;
  /** Stop when the objective improves by less than this, relatively. Default 2.2e-9 (scipy's L-BFGS-B `ftol`). */
  readonly functionTolerance?: number;
  /**
   * Where the objective is evaluated: `host` (float64 loops; fastest for small problems, where a
   * tfjs call costs more than the arithmetic), `tensor` (tfjs matrix products, for large ones), or
   * `auto` (default): `host` up to `rows·features·classes` = 2·10⁷.
   */
  readonly compute?: 'auto' | 'host' | 'tensor';
}

/** A fitted multinomial logistic regression. */
export interface LogisticRegressionModel {
  readonly numClasses: number;
  readonly numFeatures: number;
  /** `[numFeatures, numClasses]` row-major. */
  readonly weights: Float64Array;
  readonly bias: Float64Array;
  /** Final value of the objective. */
  readonly loss: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** Logits `[rows, numClasses]` row-major. */
  logits(x: FeatureMatrix): Float64Array;
  /** The most likely class of each row. */
  predict(x: FeatureMatrix): Int32Array;
}

/**
 * Multinomial logistic regression with an L2 penalty, fitted full-batch with L-BFGS on cached
 * features (the standard linear probe). The objective and its gradient are computed on the host
 * in float64 for small problems and with tfjs matrix products (inside `tf.tidy`) for large ones
 * (see {@link LogisticRegressionOptions.compute}); the L-BFGS state is float64 on the host.
 * Standardise features first (see `normalizeFeatures`), as the probe methods do.
 */
export function fitLogisticRegression(x: FeatureMatrix, labels: LabelArray, options: LogisticRegressionOptions = {}): LogisticRegressionModel {
  checkLabels(x, labels, 'fitLogisticRegression');
  if (x.rows === 0) throw new EvaluationError('fitLogisticRegression: no training samples.');
  const c = inferNumClasses('fitLogisticRegression', options.numClasses, labels);
  const d = x.cols;
  const n = x.rows;
  const l2 = options.l2 ?? 1 / n;
  if (!(l2 >= 0)) throw new EvaluationError(`fitLogisticRegression: l2 must be >= 0, got ${l2}.`);
  const onehot = new Float32Array(n * c);
  for (let i = 0; i < n; i++) {
    const y = labels[i] as number;
    if (!Number.isInteger(y) || y < 0 || y >= c) throw new EvaluationError(`fitLogisticRegression: label ${y} of sample ${i} is outside [0, ${c}).`);
    onehot[i * c + y] = 1;
  }
  const compute = options.compute ?? 'auto';
  const useHost = compute === 'host' || (compute === 'auto' && n * d * c <= 2e7);
  const tensors = useHost ? undefined : { X: tf.tensor2d(x.data, [n, d]), Y: tf.tensor2d(onehot, [n, c]) };
  try {
    const dataTerm = tensors ? tensorObjective(tensors.X, tensors.Y, d, c) : hostObjective(x, labels, c);
    const objective = (theta: Float64Array) => {
      const { value, grad } = dataTerm(theta);
      let reg = 0;
      for (let j = 0; j < d * c; j++) {
        const w = theta[j] as number;
        reg += w * w;
        grad[j]! += l2 * w;
      }
      return { value: value + 0.5 * l2 * reg, grad };
    };
    const r = lbfgs(objective, new Float64Array(d * c + c), {
      maxIterations: options.maxIterations ?? 300,
      gradientTolerance: options.tolerance ?? 1e-4,
      functionTolerance: options.functionTolerance ?? 2.2e-9,
    });
    const weights = r.x.slice(0, d * c);
    const bias = r.x.slice(d * c);
    const logits = (m: FeatureMatrix): Float64Array => {
      if (m.cols !== d) throw new EvaluationError(`LogisticRegression: fitted on ${d} features, got ${m.cols}.`);
      const out = new Float64Array(m.rows * c);
      for (let i = 0; i < m.rows; i++) {
        for (let k = 0; k < c; k++) out[i * c + k] = bias[k] as number;
        for (let j = 0; j < d; j++) {
          const v = m.data[i * d + j] as number;
          if (v === 0) continue;
          for (let k = 0; k < c; k++) out[i * c + k]! += v * (weights[j * c + k] as number);
        }
      }
      return out;
    };
    return {
      numClasses: c,
      numFeatures: d,
      weights,
      bias,
      loss: r.value,
      iterations: r.iterations,
      converged: r.converged,
      logits,
      predict: (m) => argmaxRows(logits(m), m.rows, c),
    };
  } finally {
    tensors?.X.dispose();
    tensors?.Y.dispose();
  }
}

/** Mean cross-entropy and its gradient with respect to `[W (d×c), b (c)]`, in float64 on the host. */
function hostObjective(x: FeatureMatrix, labels: LabelArray, c: number): (theta: Float64Array) => { value: number; grad: Float64Array } {
  const { rows: n, cols: d, data } = x;
  const z = new Float64Array(c);
  return (theta) => {
    const grad = new Float64Array(d * c + c);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < c; k++) z[k] = theta[d * c + k] as number;
      for (let j = 0; j < d; j++) {
        const v = data[i * d + j] as number;
        if (v === 0) continue;
        const row = j * c;
        for (let k = 0; k < c; k++) z[k]! += v * (theta[row + k] as number);
      }
      let m = -Infinity;
      for (let k = 0; k < c; k++) m = Math.max(m, z[k] as number);
      let sum = 0;
      for (let k = 0; k < c; k++) {
        z[k] = Math.exp((z[k] as number) - m);
        sum += z[k] as number;
      }
      const y = labels[i] as number;
      loss -= Math.log((z[y] as number) / sum);
      for (let k = 0; k < c; k++) z[k] = (z[k] as number) / sum / n - (k === y ? 1 / n : 0); // residual / n
      for (let j = 0; j < d; j++) {
        const v = data[i * d + j] as number;
        if (v === 0) continue;
        const row = j * c;
        for (let k = 0; k < c; k++) grad[row + k]! += v * (z[k] as number);
      }
      for (let k = 0; k < c; k++) grad[d * c + k]! += z[k] as number;
    }
    return { value: loss / n, grad };
  };
}

/** The same objective with tfjs: two matrix products per evaluation, inside `tf.tidy`. */
function tensorObjective(X: tf.Tensor2D, Y: tf.Tensor2D, d: number, c: number): (theta: Float64Array) => { value: number; grad: Float64Array } {
  const n = X.shape[0];
  return (theta) => {
    const [lossData, gradData] = tf.tidy(() => {
      const W = tf.tensor2d(Float32Array.from(theta.subarray(0, d * c)), [d, c]);
      const b = tf.tensor1d(Float32Array.from(theta.subarray(d * c)));
      const logp = tf.logSoftmax(tf.matMul(X, W).add(b));
      const loss = Y.mul(logp).sum().neg().div(n);
      const diff = logp.exp().sub(Y);
      const gW = tf.matMul(X, diff, true, false).div(n);
      const gb = diff.sum(0).div(n);
      return [loss.dataSync(), tf.concat([gW.reshape([-1]), gb]).dataSync()];
    });
    return { value: lossData[0] as number, grad: Float64Array.from(gradData) };
  };
}

/** Index of the largest value of each row of a `[rows, cols]` array (the first on ties). */
export function argmaxRows(values: ArrayLike<number>, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let k = 1; k < cols; k++) if ((values[i * cols + k] as number) > (values[i * cols + best] as number)) best = k;
    out[i] = best;
  }
  return out;
}

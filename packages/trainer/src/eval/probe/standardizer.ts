import { EvaluationError } from '../errors';
import type { FeatureMatrix } from '../features';

/** How a probe normalises features before its classifier. */
export type FeatureNorm = 'standardize' | 'layernorm' | 'none';

/** Per-feature mean and standard deviation fitted on training features. */
export interface Standardizer {
  readonly mean: Float64Array;
  /** Population standard deviation; features constant on the training set get 1. */
  readonly std: Float64Array;
}

/**
 * Fit per-feature statistics on training features: standardising with them is what a
 * BatchNorm without affine (MAE's linear-probe head) computes at evaluation time, and what
 * sklearn's `StandardScaler` does before a logistic regression.
 */
export function fitStandardizer(x: FeatureMatrix): Standardizer {
  if (x.rows === 0) throw new EvaluationError('fitStandardizer: no training rows.');
  const mean = new Float64Array(x.cols);
  const sq = new Float64Array(x.cols);
  for (let r = 0; r < x.rows; r++) for (let c = 0; c < x.cols; c++) mean[c]! += x.data[r * x.cols + c] as number;
  for (let c = 0; c < x.cols; c++) mean[c]! /= x.rows;
  for (let r = 0; r < x.rows; r++) {
    for (let c = 0; c < x.cols; c++) {
      const d = (x.data[r * x.cols + c] as number) - (mean[c] as number);
      sq[c]! += d * d;
    }
  }
  const std = sq.map((s) => {
    const v = Math.sqrt(s / x.rows);
    return v > 1e-12 ? v : 1;
  });
  return { mean, std };
}

/** Apply a fitted {@link Standardizer} (a new matrix). */
export function applyStandardizer(s: Standardizer, x: FeatureMatrix): FeatureMatrix {
  if (s.mean.length !== x.cols) throw new EvaluationError(`applyStandardizer: fitted on ${s.mean.length} features, got ${x.cols}.`);
  const out = new Float32Array(x.data.length);
  for (let r = 0; r < x.rows; r++) {
    for (let c = 0; c < x.cols; c++) out[r * x.cols + c] = ((x.data[r * x.cols + c] as number) - (s.mean[c] as number)) / (s.std[c] as number);
  }
  return { data: out, rows: x.rows, cols: x.cols };
}

/**
 * Per-sample LayerNorm without affine parameters (eps 1e-6): MMEarth's linear probe keeps the
 * pretrained model's final LayerNorm frozen at its initialisation (γ = 1, β = 0), which is this.
 */
export function layerNormRows(x: FeatureMatrix, eps = 1e-6): FeatureMatrix {
  const out = new Float32Array(x.data.length);
  for (let r = 0; r < x.rows; r++) {
    let m = 0;
    for (let c = 0; c < x.cols; c++) m += x.data[r * x.cols + c] as number;
    m /= x.cols;
    let v = 0;
    for (let c = 0; c < x.cols; c++) v += ((x.data[r * x.cols + c] as number) - m) ** 2;
    const inv = 1 / Math.sqrt(v / x.cols + eps);
    for (let c = 0; c < x.cols; c++) out[r * x.cols + c] = ((x.data[r * x.cols + c] as number) - m) * inv;
  }
  return { data: out, rows: x.rows, cols: x.cols };
}

/**
 * Normalise training and test features the same way: `standardize` fits on `train` only and
 * applies to both; `layernorm` normalises every row on its own; `none` passes them through.
 */
export function normalizeFeatures(norm: FeatureNorm, train: FeatureMatrix, test?: FeatureMatrix): { train: FeatureMatrix; test?: FeatureMatrix } {
  switch (norm) {
    case 'none':
      return { train, ...(test ? { test } : {}) };
    case 'layernorm':
      return { train: layerNormRows(train), ...(test ? { test: layerNormRows(test) } : {}) };
    case 'standardize': {
      const s = fitStandardizer(train);
      return { train: applyStandardizer(s, train), ...(test ? { test: applyStandardizer(s, test) } : {}) };
    }
    default:
      throw new EvaluationError(`feature norm must be 'standardize', 'layernorm' or 'none', got ${JSON.stringify(norm)}.`);
  }
}

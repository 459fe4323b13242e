import type * as tf from '@tensorflow/tfjs';
import { EvaluationError } from './errors';

/** Features of `rows` samples, `cols` values each, row-major on the host (computed once, reused by every probe). */
export interface FeatureMatrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/** Wrap a flat array as a {@link FeatureMatrix}, checking its length. */
export function featureMatrix(data: Float32Array | readonly number[], rows: number, cols: number): FeatureMatrix {
  if (data.length !== rows * cols) throw new EvaluationError(`featureMatrix: ${data.length} values do not make ${rows} rows of ${cols} features.`);
  return { data: data instanceof Float32Array ? data : Float32Array.from(data), rows, cols };
}

/** Read a `[N, D]` tensor into a {@link FeatureMatrix} (asynchronously; the tensor is not disposed). */
export async function featuresFromTensor(t: tf.Tensor2D): Promise<FeatureMatrix> {
  if (t.rank !== 2) throw new EvaluationError(`featuresFromTensor: expected a [N, D] tensor, got shape [${t.shape.join(', ')}].`);
  const data = await t.data();
  return { data: data instanceof Float32Array ? data : Float32Array.from(data), rows: t.shape[0], cols: t.shape[1] };
}

/** The rows `indices` of a feature matrix, in that order. */
export function selectRows(m: FeatureMatrix, indices: ArrayLike<number>): FeatureMatrix {
  const out = new Float32Array(indices.length * m.cols);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r] as number;
    if (!(i >= 0 && i < m.rows)) throw new EvaluationError(`selectRows: row ${i} is outside [0, ${m.rows}).`);
    out.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), r * m.cols);
  }
  return { data: out, rows: indices.length, cols: m.cols };
}

/** The entries `indices` of a label array, in that order. */
export function selectLabels(labels: ArrayLike<number>, indices: ArrayLike<number>): Int32Array {
  const out = new Int32Array(indices.length);
  for (let r = 0; r < indices.length; r++) out[r] = labels[indices[r] as number] as number;
  return out;
}

/** Check that there is one label per feature row. */
export function checkLabels(features: FeatureMatrix, labels: ArrayLike<number>, where: string): void {
  if (labels.length !== features.rows) {
    throw new EvaluationError(`${where}: ${features.rows} feature rows but ${labels.length} labels; pass one label per sample.`);
  }
}

import * as tf from '@tensorflow/tfjs';
import { EvaluationError } from '../errors';
import { checkLabels, type FeatureMatrix } from '../features';
import { inferNumClasses, type LabelArray } from '../metrics/labels';

/** Options of {@link knnPredict}. */
export interface KnnOptions {
  /** Neighbours (capped at the training size). Default 20 (DINO's k-NN evaluation). */
  readonly k?: number;
  /**
   * `weighted` (default): every neighbour votes `exp(cos / temperature)`, DINO's weighted k-NN.
   * `majority`: one vote each; ties go to the class with the larger summed similarity, then the
   * smaller class index.
   */
  readonly vote?: 'weighted' | 'majority';
  /** Temperature of the weighted vote. Default 0.07 (DINO). */
  readonly temperature?: number;
  /** Classes (default: one more than the largest training label). */
  readonly numClasses?: number;
  /** Test rows per similarity block, bounding memory at `chunkSize × trainRows` floats. Default 256. */
  readonly chunkSize?: number;
}

/** Rows scaled to unit L2 norm (zero rows stay zero). */
export function unitRows(x: FeatureMatrix): Float32Array {
  const out = new Float32Array(x.data.length);
  for (let r = 0; r < x.rows; r++) {
    let s = 0;
    for (let c = 0; c < x.cols; c++) s += (x.data[r * x.cols + c] as number) ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let c = 0; c < x.cols; c++) out[r * x.cols + c] = (x.data[r * x.cols + c] as number) * inv;
  }
  return out;
}

/**
 * k-nearest-neighbour classification by cosine similarity: features are L2-normalised, the
 * similarities of a block of test rows to every training row are one matrix product, and
 * `tf.topk` picks the neighbours; votes are counted on the host. Memory is bounded by
 * `chunkSize × trainRows`.
 */
export async function knnPredict(train: FeatureMatrix, trainLabels: LabelArray, test: FeatureMatrix, options: KnnOptions = {}): Promise<Int32Array> {
  checkLabels(train, trainLabels, 'knnPredict');
  if (train.rows === 0) throw new EvaluationError('knnPredict: no training samples.');
  if (test.cols !== train.cols) throw new EvaluationError(`knnPredict: training features have ${train.cols} values, test features ${test.cols}.`);
  const k0 = options.k ?? 20;
  if (!Number.isInteger(k0) || k0 < 1) throw new EvaluationError(`knnPredict: k must be a positive integer, got ${k0}.`);
  const k = Math.min(k0, train.rows);
  const vote = options.vote ?? 'weighted';
  if (vote !== 'weighted' && vote !== 'majority') throw new EvaluationError(`knnPredict: vote must be 'weighted' or 'majority', got ${JSON.stringify(vote)}.`);
  const temperature = options.temperature ?? 0.07;
  if (!(temperature > 0)) throw new EvaluationError(`knnPredict: temperature must be > 0, got ${temperature}.`);
  const c = inferNumClasses('knnPredict', options.numClasses, trainLabels);
  const chunk = Math.max(1, options.chunkSize ?? 256);
  const bank = tf.tensor2d(unitRows(train), [train.rows, train.cols]);
  const queries = unitRows(test);
  const out = new Int32Array(test.rows);
  try {
    for (let start = 0; start < test.rows; start += chunk) {
      const m = Math.min(chunk, test.rows - start);
      const { values, indices } = tf.tidy(() => {
        const q = tf.tensor2d(queries.subarray(start * test.cols, (start + m) * test.cols), [m, test.cols]);
        return tf.topk(tf.matMul(q, bank, false, true), k, true);
      });
      const [sims, idx] = await Promise.all([values.data(), indices.data()]);
      values.dispose();
      indices.dispose();
      for (let i = 0; i < m; i++) {
        const score = new Float64Array(c);
        const simSum = new Float64Array(c);
        for (let j = 0; j < k; j++) {
          const label = trainLabels[idx[i * k + j] as number] as number;
          const s = sims[i * k + j] as number;
          score[label]! += vote === 'weighted' ? Math.exp(s / temperature) : 1;
          simSum[label]! += s;
        }
        let best = 0;
        for (let y = 1; y < c; y++) {
          const better = (score[y] as number) > (score[best] as number) || ((score[y] as number) === (score[best] as number) && (simSum[y] as number) > (simSum[best] as number));
          if (better) best = y;
        }
        out[start + i] = best;
      }
    }
  } finally {
    bank.dispose();
  }
  return out;
}

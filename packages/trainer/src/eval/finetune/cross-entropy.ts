import * as tf from '@tensorflow/tfjs';

/** Options of {@link crossEntropyLoss}. */
export interface CrossEntropyOptions {
  /**
   * Label smoothing ε: the loss is `(1 − ε)·NLL + ε·mean_k(−log p_k)`, timm's
   * `LabelSmoothingCrossEntropy` (MMEarth fine-tuning: 0.2 for EuroSAT, So2Sat, brick-kiln).
   * Default 0.
   */
  readonly smoothing?: number;
  /** Labels equal to this contribute nothing and are not counted (torch `ignore_index`). */
  readonly ignoreIndex?: number;
}

/**
 * Mean cross-entropy of logits `[N, C]` against integer labels `[N]` (int32), with optional
 * label smoothing and ignore label: the mean runs over the non-ignored rows (0 when there are
 * none, where torch gives NaN). Built from one-hot products rather than a gather, so its gradient
 * exists on every backend.
 */
export function crossEntropyLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, options: CrossEntropyOptions = {}): tf.Scalar {
  const smoothing = options.smoothing ?? 0;
  if (!(smoothing >= 0 && smoothing < 1)) throw new RangeError(`crossEntropyLoss: smoothing must be in [0, 1), got ${smoothing}`);
  const [n, c] = logits.shape;
  if (labels.shape[0] !== n) throw new RangeError(`crossEntropyLoss: ${n} rows of logits but ${labels.shape[0]} labels`);
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const ints = labels.toInt();
    const valid = options.ignoreIndex === undefined ? tf.onesLike(ints).toFloat() : tf.notEqual(ints, options.ignoreIndex).toFloat();
    const safe = options.ignoreIndex === undefined ? ints : tf.where(tf.notEqual(ints, options.ignoreIndex), ints, tf.zerosLike(ints));
    const onehot = tf.oneHot(safe, c).toFloat();
    const nll = onehot.mul(logp).sum(1).neg();
    const perRow = smoothing > 0 ? nll.mul(1 - smoothing).add(logp.mean(1).neg().mul(smoothing)) : nll;
    return perRow.mul(valid).sum().div(valid.sum().maximum(1)) as tf.Scalar;
  });
}

import * as tf from '@tensorflow/tfjs';

/**
 * MMEarth's image-level categorical loss: cross-entropy of `[N, K]` logits against `[N]` class
 * indices, averaged over every sample (biome, ecoregion). Labels outside `[0, K)` (e.g. an
 * ignore label) are left out of the mean; MMEarth's loader turns a missing one-hot into class 0
 * before this point, which a dataset reproduces by emitting 0. 0 when no sample counts.
 */
export function imageCrossEntropy(pred: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const k = pred.shape[1];
    const lab = labels.toInt();
    const keep = tf.logicalAnd(tf.greaterEqual(lab, 0), tf.less(lab, k));
    const safe = tf.where(keep, lab, tf.zerosLike(lab));
    const nll = tf.oneHot(safe, k).toFloat().mul(tf.logSoftmax(pred)).sum(-1).neg();
    const w = keep.toFloat();
    return nll.mul(w).sum().div(tf.maximum(w.sum(), 1)) as tf.Scalar;
  });
}

/**
 * MMEarth's image-level continuous loss: MSE over the non-NaN entries of the target (ERA5, lat,
 * lon, month), every sample. NaN targets get a zero gradient (selected away before squaring).
 * 0 when every target is NaN.
 */
export function imageMse(pred: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const t = target.toFloat();
    const valid = tf.logicalNot(tf.isNaN(t));
    const diff = tf.where(valid, pred.sub(tf.where(valid, t, tf.zerosLike(t))), tf.zerosLike(pred));
    return diff.square().sum().div(tf.maximum(valid.toFloat().sum(), 1)) as tf.Scalar;
  });
}

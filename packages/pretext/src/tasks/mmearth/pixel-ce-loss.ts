import * as tf from '@tensorflow/tfjs';
import { patchify } from '@terramae/tensors';

/**
 * MMEarth's categorical pixel loss (`FCMAE.forward_loss`, Dynamic World / WorldCover): the
 * prediction `[N, L, p²·K]` is read as `[N, L, p², K]` (class fastest), the label map is patchified
 * with one channel to `[N, L, p²]`, and the loss is the cross-entropy averaged over the pixels of
 * hidden patches whose label is not `ignoreIndex`. 0 when no pixel counts.
 *
 * @param pred `[N, L, p²·K]` logits.
 * @param labels `[N, H, W]` (or `[N, H, W, 1]`) class indices, `ignoreIndex` where missing.
 * @param mask `[N, L]`, 1 = hidden.
 */
export function fcmaePixelCrossEntropy(
  pred: tf.Tensor3D,
  labels: tf.Tensor,
  mask: tf.Tensor2D,
  patchSize: number,
  numClasses: number,
  options: { ignoreIndex?: number; patches?: 'masked' | 'all' } = {},
): tf.Scalar {
  return tf.tidy(() => {
    const [n, l, d] = pred.shape;
    const pp = patchSize * patchSize;
    if (d !== pp * numClasses) throw new RangeError(`fcmaePixelCrossEntropy: prediction has ${d} channels per patch, expected p²·K = ${pp}·${numClasses}`);
    const lab4 = (labels.rank === 3 ? labels.expandDims(-1) : labels).toFloat() as tf.Tensor4D;
    const target = patchify(lab4, patchSize).toInt(); // [N, L, p²]
    const logits = pred.reshape([n, l, pp, numClasses]);
    const ignore = options.ignoreIndex ?? -1;
    const keep = tf.logicalAnd(tf.notEqual(target, ignore), tf.logicalAnd(tf.greaterEqual(target, 0), tf.less(target, numClasses)));
    const safe = tf.where(keep, target, tf.zerosLike(target));
    const nll = tf.oneHot(safe, numClasses).toFloat().mul(tf.logSoftmax(logits)).sum(-1).neg(); // [N, L, p²]
    const m = options.patches === 'all' ? tf.ones([n, l, 1]) : mask.toFloat().reshape([n, l, 1]);
    const w = keep.toFloat().mul(m);
    return nll.mul(w).sum().div(tf.maximum(w.sum(), 1)) as tf.Scalar;
  });
}

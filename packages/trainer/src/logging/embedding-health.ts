import * as tf from '@tensorflow/tfjs';

/**
 * Collapse detectors for pooled embeddings `[B, D]`: the mean over dimensions of the per-dimension
 * standard deviation across the batch (→ 0 when every sample maps to the same point), and the
 * mean pairwise cosine similarity between different samples (→ 1 when they all point the same way).
 * A falling loss with these going to 0 and 1 is a collapsing run.
 */
export function embeddingHealth(features: tf.Tensor2D): { featureStd: tf.Scalar; meanCosine: tf.Scalar } {
  return tf.tidy(() => {
    const [b] = features.shape;
    const featureStd = tf.moments(features, 0).variance.sqrt().mean() as tf.Scalar;
    const unit = features.div(features.norm('euclidean', 1, true).add(1e-12));
    const sim = tf.matMul(unit, unit, false, true);
    const offDiagonal = sim.sum().sub(sim.mul(tf.eye(b)).sum());
    const meanCosine = (b > 1 ? offDiagonal.div(b * (b - 1)) : tf.scalar(1)) as tf.Scalar;
    return { featureStd, meanCosine };
  });
}

import * as tf from '@tensorflow/tfjs';
import { OptimizerError } from './errors';
import { namedEntries, type NamedTensors } from './named';

/** What {@link clipGradNorm} returns: the clipped gradients and the total norm before clipping. */
export interface ClippedGradients {
  /** New gradient tensors (owned by the caller), in the order of the input. */
  readonly grads: Map<string, tf.Tensor>;
  /** The total norm of the unclipped gradients (a scalar tensor, owned by the caller). */
  readonly totalNorm: tf.Scalar;
}

/**
 * Clip gradients by their global norm with `torch.nn.utils.clip_grad_norm_` semantics: the total
 * norm is the `normType`-norm of the per-tensor `normType`-norms (max-abs for `Infinity`), and
 * every gradient is multiplied by `min(1, maxNorm / (totalNorm + 1e-6))`. Nothing is read back
 * to the CPU. The inputs stay owned by the caller; the outputs are new tensors.
 */
export function clipGradNorm(grads: NamedTensors, maxNorm: number, options: { readonly normType?: number } = {}): ClippedGradients {
  const p = options.normType ?? 2;
  if (!(maxNorm >= 0) || Number.isNaN(maxNorm)) throw new OptimizerError(`clipGradNorm: maxNorm must be >= 0, got ${maxNorm}`);
  if (!(p > 0)) throw new OptimizerError(`clipGradNorm: normType must be > 0 or Infinity, got ${p}`);
  const entries = namedEntries(grads);
  if (entries.length === 0) return { grads: new Map<string, tf.Tensor>(), totalNorm: tf.scalar(0) };
  // tidy keeps tensors of arrays and plain objects only (not of a Map): return an array
  const [totalNorm, ...clipped] = tf.tidy(() => {
    const norms = entries.map(([, g]) => {
      const a = g.toFloat().abs();
      if (p === Infinity) return a.max();
      if (p === 2) return a.square().sum().sqrt();
      if (p === 1) return a.sum();
      return a.pow(tf.scalar(p)).sum().pow(tf.scalar(1 / p));
    });
    const stacked = tf.stack(norms);
    let totalNorm: tf.Scalar;
    if (p === Infinity) totalNorm = stacked.max() as tf.Scalar;
    else if (p === 2) totalNorm = stacked.square().sum().sqrt() as tf.Scalar;
    else if (p === 1) totalNorm = stacked.sum() as tf.Scalar;
    else totalNorm = stacked.pow(tf.scalar(p)).sum().pow(tf.scalar(1 / p)) as tf.Scalar;
    const coef = tf.minimum(tf.scalar(maxNorm).div(totalNorm.add(tf.scalar(1e-6))), tf.scalar(1));
    return [totalNorm, ...entries.map(([, g]) => g.mul(coef))];
  });
  const out = new Map<string, tf.Tensor>();
  entries.forEach(([name], i) => out.set(name, clipped[i]!));
  return { grads: out, totalNorm: totalNorm as tf.Scalar };
}

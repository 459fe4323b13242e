import * as tf from '@tensorflow/tfjs';
import { OptimizerError } from './errors';
import { namedEntries, type NamedTensors } from './named';

/**
 * Sums gradients over micro-batches (gradient accumulation, MMEarth's `update_freq`, MAE's
 * `accum_iter`). `add` keeps a running sum per name (the inputs stay owned by the caller);
 * `result('mean')` divides by the number of micro-batches, which equals the references'
 * `loss / accum_iter` before each backward pass.
 *
 * @example
 * ```ts
 * const acc = new GradientAccumulator();
 * for (const micro of microBatches) { const g = computeGrads(micro); acc.add(g); disposeAll(g); }
 * const grads = acc.result('mean'); opt.applyGradients(grads); disposeAll(grads); acc.reset();
 * ```
 */
export class GradientAccumulator {
  private sums = new Map<string, tf.Tensor>();
  private micro = 0;

  /** Number of micro-batches added since the last reset. */
  get count(): number {
    return this.micro;
  }

  /**
   * Add one micro-batch of gradients. A name seen before must keep its shape; a name missing in
   * some micro-batches counts as a zero gradient there.
   */
  add(grads: NamedTensors): void {
    const entries = namedEntries(grads);
    for (const [name, g] of entries) {
      const prev = this.sums.get(name);
      if (prev && !tf.util.arraysEqual(prev.shape, g.shape)) {
        throw new OptimizerError(`GradientAccumulator.add: gradient of "${name}" has shape [${g.shape.join(', ')}], earlier micro-batches had [${prev.shape.join(', ')}]`);
      }
    }
    for (const [name, g] of entries) {
      const prev = this.sums.get(name);
      const next = tf.keep(tf.tidy(() => (prev ? prev.add(g) : g.toFloat().clone())));
      prev?.dispose();
      this.sums.set(name, next);
    }
    this.micro += 1;
  }

  /**
   * The accumulated gradients as new tensors (owned by the caller): the `'sum'` over micro-batches
   * or their `'mean'` (sum / count). Throws when nothing was added.
   */
  result(mode: 'mean' | 'sum' = 'mean'): Map<string, tf.Tensor> {
    if (this.micro === 0) throw new OptimizerError('GradientAccumulator.result: no micro-batch was added since the last reset');
    const out = new Map<string, tf.Tensor>();
    for (const [name, s] of this.sums) {
      out.set(name, tf.tidy(() => (mode === 'sum' ? s.clone() : s.div(tf.scalar(this.micro)))));
    }
    return out;
  }

  /** Drop the sums and start a new accumulation window. */
  reset(): void {
    for (const s of this.sums.values()) s.dispose();
    this.sums = new Map();
    this.micro = 0;
  }

  /** Release the sums (same as {@link reset}). */
  dispose(): void {
    this.reset();
  }
}

import * as tf from '@tensorflow/tfjs';
import { Module, zerosInit } from '@terramae/tensors';
import { defineLossAggregator } from '../api/registry';

/** Config of the `uncertainty` aggregator. */
export interface UncertaintyAggregatorConfig {
  /** Log each task's weighted term and log-variance. Default true. */
  readonly logTerms?: boolean;
}

/** The learnable log-variances `log_vars` `[T]` (initialised to 0, no weight decay). */
export class UncertaintyWeights extends Module {
  readonly logVars: tf.Variable;
  constructor(readonly taskIds: readonly string[]) {
    super();
    this.logVars = this.param('log_vars', zerosInit([taskIds.length]), { noWeightDecay: true });
  }
}

/**
 * The per-task terms of MMEarth's uncertainty weighting (`custom_loss.py`):
 * `exp(−s_i)·L_i + s_i`, multiplied by `(L_i ≠ 0)` so a task whose loss is exactly 0 contributes 0
 * (and its `s_i` then gets no gradient). No ½ factor.
 *
 * @param losses `[T]` task losses; `logVars` `[T]`.
 */
export function uncertaintyTerms(losses: tf.Tensor1D, logVars: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    // sign(|L|) is exactly (L ≠ 0) and, unlike notEqual, has a (zero) gradient on every backend.
    const nonZero = tf.abs(losses).sign();
    return tf.exp(logVars.neg()).mul(losses).add(logVars).mul(nonZero) as tf.Tensor1D;
  });
}

/** Learned uncertainty weighting exactly as MMEarth: `Σ_i (L_i ≠ 0)·(exp(−s_i)·L_i + s_i)`, `s_i` trained with the model. */
export const uncertaintyAggregator = defineLossAggregator({
  name: 'uncertainty',
  description: "MMEarth's learned uncertainty weighting: Σ exp(−s_i)·L_i + s_i (no ½), zero for a task whose loss is exactly 0.",
  defaults: { logTerms: true } as UncertaintyAggregatorConfig,
  build: (_config, taskIds) => new UncertaintyWeights(taskIds),
  aggregate(state, losses, config) {
    return tf.tidy(() => {
      if (losses.length === 0) return { total: tf.scalar(0) };
      const terms = uncertaintyTerms(tf.stack([...losses]) as tf.Tensor1D, state.logVars as tf.Tensor1D);
      const total = terms.sum() as tf.Scalar;
      const logs: Record<string, tf.Scalar> = {};
      if (config.logTerms ?? true) {
        const t = tf.unstack(terms);
        const s = tf.unstack(state.logVars);
        state.taskIds.forEach((id, i) => {
          logs[`weighted/${id}`] = t[i] as tf.Scalar;
          logs[`log_var/${id}`] = s[i] as tf.Scalar;
        });
      }
      return { total, logs };
    });
  },
});

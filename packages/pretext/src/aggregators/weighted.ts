import * as tf from '@tensorflow/tfjs';
import { Module, TerramaeError } from '@terramae/tensors';
import { defineLossAggregator } from '../api/registry';

/** Config of the `weighted` aggregator. */
export interface WeightedAggregatorConfig {
  /** Weight per task id; tasks not listed get `defaultWeight`. */
  readonly weights: Readonly<Record<string, number>>;
  /** Weight of unlisted tasks. Default 1. */
  readonly defaultWeight?: number;
}

/** A fixed-weights config that names a task the recipe does not have, or a non-finite weight. */
export class AggregatorConfigError extends TerramaeError {}

/** State of the `weighted` aggregator: the resolved weight of each task, in task order (no parameters). */
export class FixedWeights extends Module {
  /** @param values - Weight per task, in the recipe's task order. */
  constructor(readonly values: readonly number[]) {
    super();
  }
}

/** `Σ w_i·L_i` with fixed weights per task id. */
export const weightedAggregator = defineLossAggregator({
  name: 'weighted',
  description: 'Fixed weights per task: Σ w_i·L_i.',
  defaults: { weights: {}, defaultWeight: 1 } as WeightedAggregatorConfig,
  build(config, taskIds) {
    for (const [id, w] of Object.entries(config.weights)) {
      if (!taskIds.includes(id)) throw new AggregatorConfigError(`weighted aggregator: weights names task '${id}', which the recipe does not have (tasks: ${taskIds.join(', ')}); fix the id or remove it`);
      if (!Number.isFinite(w)) throw new AggregatorConfigError(`weighted aggregator: weight of '${id}' must be a finite number, got ${w}`);
    }
    return new FixedWeights(taskIds.map((id) => config.weights[id] ?? config.defaultWeight ?? 1));
  },
  aggregate(state, losses) {
    return { total: tf.tidy(() => tf.addN(losses.length ? losses.map((l, i) => l.mul(state.values[i] ?? 1)) : [tf.scalar(0)]) as tf.Scalar) };
  },
});

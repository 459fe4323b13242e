import type * as tf from '@tensorflow/tfjs';
import type { Module } from '@terramae/tensors';

/**
 * Combines the task losses into one scalar. A plugin too, because it may own parameters
 * (uncertainty weighting's log-variances are trained with the model).
 */
export interface LossAggregatorDefinition<Name extends string = string, Config = unknown, State extends Module = Module> {
  readonly name: Name;
  readonly description: string;
  readonly defaults: Config;
  /** Create the aggregator's parameters for the given task ids (in loss order). */
  build(config: Config, taskIds: readonly string[]): State;
  /** Total loss from the per-task losses (same order as `taskIds`), plus scalars to log. */
  aggregate(state: State, losses: readonly tf.Scalar[], config: Config): { total: tf.Scalar; logs?: Readonly<Record<string, tf.Scalar>> };
}

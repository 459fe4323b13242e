import * as tf from '@tensorflow/tfjs';
import { Module } from '@terramae/tensors';
import { defineLossAggregator } from '../api/registry';

/** Config of the `sum` aggregator (none). */
export type SumAggregatorConfig = Record<string, never>;

/** The unweighted sum of the task losses (MMEarth `--loss_aggr unweighted`). No parameters. */
export const sumAggregator = defineLossAggregator({
  name: 'sum',
  description: 'Unweighted sum of the task losses.',
  defaults: {} as SumAggregatorConfig,
  build: () => new Module(),
  aggregate: (_state, losses) => ({ total: tf.tidy(() => tf.addN(losses.length ? [...losses] : [tf.scalar(0)]) as tf.Scalar) }),
});

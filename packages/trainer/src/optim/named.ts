import type * as tf from '@tensorflow/tfjs';

/** Tensors keyed by parameter name: a `Map` or a plain record. */
export type NamedTensors<T extends tf.Tensor = tf.Tensor> = ReadonlyMap<string, T> | Readonly<Record<string, T>>;

/** Variables keyed by parameter name: a `Map`, a plain record, or `[name, variable]` pairs. */
export type NamedVariables = ReadonlyMap<string, tf.Variable> | Readonly<Record<string, tf.Variable>> | Iterable<readonly [string, tf.Variable]>;

function isMapLike<T>(x: unknown): x is ReadonlyMap<string, T> {
  return x instanceof Map;
}

/** The `[name, tensor]` pairs of {@link NamedTensors}, in insertion order. */
export function namedEntries<T extends tf.Tensor>(named: NamedTensors<T>): Array<[string, T]> {
  if (isMapLike<T>(named)) return [...named.entries()];
  return Object.entries(named as Record<string, T>);
}

/** The `[name, variable]` pairs of {@link NamedVariables}, in insertion order. */
export function variableEntries(named: NamedVariables): Array<[string, tf.Variable]> {
  if (isMapLike<tf.Variable>(named)) return [...named.entries()];
  if (typeof (named as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return [...(named as Iterable<readonly [string, tf.Variable]>)].map(([k, v]) => [k, v]);
  }
  return Object.entries(named as Record<string, tf.Variable>);
}

import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { Rng } from '../util/rng';

/** Test-only helpers for numeric comparisons (not part of the published API). */

/** Error statistics of `actual` against a reference, as the parity fixtures report them. */
export interface ErrorStats {
  /** `max |a − r|`. */
  readonly maxAbs: number;
  /** `max |a − r| / max |r|`. */
  readonly maxAbsRel: number;
  /** `‖a − r‖₂ / ‖r‖₂`. */
  readonly relL2: number;
}

/** Compare two equally long arrays in float64. A zero reference gives relative errors equal to the absolute ones. */
export function errorStats(actual: ArrayLike<number>, reference: ArrayLike<number>): ErrorStats {
  if (actual.length !== reference.length) throw new Error(`errorStats: lengths differ (${actual.length} vs ${reference.length})`);
  let maxAbs = 0;
  let maxRef = 0;
  let diff2 = 0;
  let ref2 = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const r = reference[i] as number;
    const d = Math.abs(a - r);
    if (!(d <= maxAbs)) maxAbs = Number.isNaN(d) ? Number.NaN : d;
    maxRef = Math.max(maxRef, Math.abs(r));
    diff2 += d * d;
    ref2 += r * r;
  }
  return {
    maxAbs,
    maxAbsRel: maxRef > 0 ? maxAbs / maxRef : maxAbs,
    relL2: ref2 > 0 ? Math.sqrt(diff2 / ref2) : Math.sqrt(diff2),
  };
}

/**
 * Assert that `actual` matches `reference` within a relative tolerance, on both `max_abs_rel` and
 * `rel_l2` (the parity criterion). `label` names the compared quantity in the failure message.
 */
export function expectClose(actual: ArrayLike<number> | tf.Tensor, reference: ArrayLike<number> | tf.Tensor, tolerance: number, label = 'value'): ErrorStats {
  const a = actual instanceof tf.Tensor ? actual.dataSync() : actual;
  const r = reference instanceof tf.Tensor ? reference.dataSync() : reference;
  const stats = errorStats(a as ArrayLike<number>, r as ArrayLike<number>);
  expect(stats.maxAbsRel, `${label}: max_abs_rel (max_abs ${stats.maxAbs})`).toBeLessThanOrEqual(tolerance);
  expect(stats.relL2, `${label}: rel_l2`).toBeLessThanOrEqual(tolerance);
  return stats;
}

/** `n` seeded standard-normal draws times `scale`, as float32. */
export function randomArray(n: number, seed: number, scale = 1, offset = 0): Float32Array {
  return new Rng(seed).normalArray(n, offset, scale);
}

/** `n` seeded uniform draws in `[low, high)`, as float32. */
export function uniformArray(n: number, seed: number, low: number, high: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.uniformRange(low, high));
}

/**
 * Run `fn` outside any tidy scope and check that the only tensors it leaves behind are the ones it
 * returns (every intermediate, saved activation and gradient buffer was freed); then read the
 * returned tensors as float64 arrays, dispose them, and check that the tensor count is back where
 * it started.
 */
export function readNoLeak(fn: () => tf.Tensor | tf.Tensor[]): Float64Array[] {
  const probe = tf.scalar(0);
  const firstNewId = probe.id + 1;
  probe.dispose();
  const before = tf.memory().numTensors;
  const out = fn();
  const list = Array.isArray(out) ? out : [out];
  const fresh = new Set(list.filter((t) => t.id >= firstNewId));
  expect(tf.memory().numTensors - before, 'tensors left behind besides the outputs').toBe(fresh.size);
  const data = list.map((t) => Float64Array.from(t.dataSync()));
  for (const t of fresh) t.dispose();
  expect(tf.memory().numTensors, 'tensor count after disposing the outputs').toBe(before);
  return data;
}

/**
 * The value of `f` and its vector–Jacobian products `∂⟨f(x), dy⟩/∂xᵢ` for every input, computed
 * with no tensor leak (checked by {@link readNoLeak}); returns `[value, ...grads]` as float64 arrays.
 */
export function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], dy?: tf.Tensor): Float64Array[] {
  return readNoLeak(() => {
    const { value, grads } = tf.valueAndGrads(f)(inputs, dy);
    return [value, ...grads];
  });
}

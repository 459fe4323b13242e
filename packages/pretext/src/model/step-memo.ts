import * as tf from '@tensorflow/tfjs';

/**
 * A per-step memo: the first caller of a key computes the value, later callers reuse it. The
 * composite model creates one per `computeLoss` call, so a shared decoder runs once per step.
 *
 * Tensors in a memoised value are `tf.keep`-ed, so they survive the `tf.tidy` of the task that
 * computed them and stay valid for the tasks after it; {@link StepMemo.clear} disposes them at the
 * end of the step (the gradient tape keeps its own copies of what backprop needs).
 */
export class StepMemo {
  private readonly values = new Map<string, unknown>();
  private readonly kept: tf.Tensor[] = [];

  /** The memoised value of `key`, computing it on first use. */
  get<T>(key: string, compute: () => T): T {
    if (this.values.has(key)) return this.values.get(key) as T;
    const value = compute();
    collectTensors(value, (t) => {
      tf.keep(t);
      this.kept.push(t);
    });
    this.values.set(key, value);
    return value;
  }

  /** Whether `key` was computed in this step. */
  has(key: string): boolean {
    return this.values.has(key);
  }

  /** Forget every value and dispose the tensors they held. */
  clear(): void {
    this.values.clear();
    for (const t of this.kept.splice(0)) if (!t.isDisposed) t.dispose();
  }
}

function collectTensors(value: unknown, visit: (t: tf.Tensor) => void, depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  if (value instanceof tf.Tensor) {
    visit(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collectTensors(v, visit, depth + 1);
    return;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collectTensors(v, visit, depth + 1);
}

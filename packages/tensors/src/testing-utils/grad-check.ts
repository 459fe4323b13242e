import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { Rng } from '../util/rng';

/** Options of {@link checkGradients}. */
export interface GradCheckOptions {
  /** Random directions to probe (default 3). */
  readonly directions?: number;
  /**
   * Step along each direction, relative to the RMS of the input it perturbs (default 1e-2). For
   * ops that are linear in their inputs any step is exact; use a large one (e.g. 0.5) so float32
   * rounding of the loss is negligible.
   */
  readonly step?: number;
  /** Largest allowed relative error of a directional derivative (default 1e-3). */
  readonly tolerance?: number;
  /** Seed of the directions and of the cotangent (default 1). */
  readonly seed?: number;
  /** Names of the inputs, for failure messages. */
  readonly names?: readonly string[];
}

/** What {@link checkGradients} measured. */
export interface GradCheckReport {
  /** Per direction: the analytic directional derivative `Σᵢ ⟨gᵢ, vᵢ⟩`. */
  readonly analytic: number[];
  /** Per direction: the finite-difference estimate. */
  readonly numeric: number[];
  /** Largest `|numeric − analytic| / scale`, where `scale = √Σᵢ ‖gᵢ‖²·sᵢ²` is the typical size of a directional derivative. */
  readonly worst: number;
}

/**
 * Central finite-difference check of the gradient of a tensor function, robust in float32.
 *
 * The scalar probed is `L(x) = ⟨f(x), c⟩` with a fixed random cotangent `c`, summed in float64 in
 * JavaScript (so the reduction adds no float32 error). For each random direction `v` (one
 * standard-normal tensor per input, scaled by that input's RMS `sᵢ`), the directional derivative
 * from the backward pass, `Σᵢ ⟨∂L/∂xᵢ, sᵢvᵢ⟩`, is compared with the fourth-order central
 * difference `[8(L(x+hv) − L(x−hv)) − (L(x+2hv) − L(x−2hv))] / 12h`, whose truncation error is
 * O(h⁴). The error is measured relative to `√Σᵢ ‖∂L/∂xᵢ‖²sᵢ²` (the typical size of a directional
 * derivative), so a direction that happens to be nearly orthogonal to the gradient does not
 * inflate it. Asserts that every relative error is within `tolerance`, that every gradient is
 * finite, and that forward + backward leave no tensor behind.
 */
export function checkGradients(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: readonly tf.Tensor[], options: GradCheckOptions = {}): GradCheckReport {
  const directions = options.directions ?? 3;
  const h = options.step ?? 1e-2;
  const tolerance = options.tolerance ?? 1e-3;
  const rng = new Rng(options.seed ?? 1);
  const names = options.names ?? inputs.map((_, i) => `input ${i}`);
  const base = inputs.map((x) => Float64Array.from(x.dataSync()));
  const scales = base.map((x) => Math.max(Math.sqrt(x.reduce((s, v) => s + v * v, 0) / Math.max(1, x.length)), 1e-3));

  const outShape = tf.tidy(() => f(...inputs).shape);
  const cot = rng.normalArray(outShape.reduce((p, d) => p * d, 1));
  const loss = (xs: Float64Array[]): number => {
    const y = tf.tidy(() => {
      const ts = xs.map((x, i) => tf.tensor(Float32Array.from(x), (inputs[i] as tf.Tensor).shape, (inputs[i] as tf.Tensor).dtype));
      return f(...ts);
    });
    const data = y.dataSync();
    y.dispose();
    let s = 0;
    for (let i = 0; i < data.length; i++) s += (data[i] as number) * (cot[i] as number);
    return s;
  };

  const before = tf.memory().numTensors;
  const gradTensors = tf.tidy(() => tf.grads(f)([...inputs], tf.tensor(cot, outShape)));
  const grads = gradTensors.map((g) => Float64Array.from(g.dataSync()));
  tf.dispose(gradTensors);
  expect(tf.memory().numTensors, 'tensors leaked by forward + backward').toBe(before);
  grads.forEach((g, i) => expect(g.every(Number.isFinite), `gradient of ${names[i]} is finite`).toBe(true));
  const scale = Math.sqrt(grads.reduce((s, g, i) => s + g.reduce((a, v) => a + v * v, 0) * (scales[i] as number) ** 2, 0));

  const analytic: number[] = [];
  const numeric: number[] = [];
  let worst = 0;
  for (let d = 0; d < directions; d++) {
    const v = base.map((x, i) => Float64Array.from(rng.normalArray(x.length), (e) => e * (scales[i] as number)));
    const at = (t: number) => base.map((x, i) => x.map((e, j) => e + t * ((v[i] as Float64Array)[j] as number)));
    const fd = (8 * (loss(at(h)) - loss(at(-h))) - (loss(at(2 * h)) - loss(at(-2 * h)))) / (12 * h);
    const an = grads.reduce((s, g, i) => s + g.reduce((a, e, j) => a + e * ((v[i] as Float64Array)[j] as number), 0), 0);
    analytic.push(an);
    numeric.push(fd);
    worst = Math.max(worst, Math.abs(fd - an) / Math.max(scale, 1e-30));
  }
  expect(worst, `finite differences vs backward pass (analytic ${analytic.map((a) => a.toPrecision(6))}, numeric ${numeric.map((a) => a.toPrecision(6))})`).toBeLessThanOrEqual(tolerance);
  return { analytic, numeric, worst };
}

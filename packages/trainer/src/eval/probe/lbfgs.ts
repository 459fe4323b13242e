import { EvaluationError } from '../errors';

/** An objective: its value and gradient at `x` (the gradient may be written into a new array). */
export type Objective = (x: Float64Array) => { value: number; grad: Float64Array };

/** Options of {@link lbfgs}. */
export interface LbfgsOptions {
  /** Iterations (accepted steps) at most. Default 200. */
  readonly maxIterations?: number;
  /** Stop when the largest gradient component is below this. Default 1e-6. */
  readonly gradientTolerance?: number;
  /** Stop when the objective improves by less than this, relatively. Default 1e-10. */
  readonly functionTolerance?: number;
  /** Correction pairs kept. Default 10. */
  readonly history?: number;
}

/** What {@link lbfgs} returns. */
export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  /** Objective evaluations (gradient included). */
  readonly evaluations: number;
  readonly converged: boolean;
  readonly gradientNorm: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * Limited-memory BFGS (Nocedal & Wright, Algorithm 7.4: the two-loop recursion with the
 * `sᵀy / yᵀy` initial scaling) with a backtracking Armijo line search, for smooth convex
 * objectives such as the L2-regularised multinomial logistic regression of a linear probe.
 * Pairs with `sᵀy ≤ 0` are skipped, which keeps the direction a descent direction.
 */
export function lbfgs(objective: Objective, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const maxIterations = options.maxIterations ?? 200;
  const gtol = options.gradientTolerance ?? 1e-6;
  const ftol = options.functionTolerance ?? 1e-10;
  const m = options.history ?? 10;
  const n = x0.length;
  let x: Float64Array = Float64Array.from(x0);
  const first = objective(x);
  let f = first.value;
  let g: Float64Array = first.grad;
  let evaluations = 1;
  if (!Number.isFinite(f)) throw new EvaluationError(`lbfgs: the objective is ${f} at the starting point; check the features for NaN/inf.`);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  let iterations = 0;
  let converged = maxAbs(g) < gtol;
  while (!converged && iterations < maxIterations) {
    // Two-loop recursion: d = −H·g.
    const q = Float64Array.from(g);
    const alpha = new Array<number>(S.length);
    for (let i = S.length - 1; i >= 0; i--) {
      const a = (rho[i] as number) * dot(S[i] as Float64Array, q);
      alpha[i] = a;
      const y = Y[i] as Float64Array;
      for (let j = 0; j < n; j++) q[j]! -= a * (y[j] as number);
    }
    const last = S.length - 1;
    const gamma = last >= 0 ? dot(S[last] as Float64Array, Y[last] as Float64Array) / dot(Y[last] as Float64Array, Y[last] as Float64Array) : 1 / Math.max(Math.sqrt(dot(g, g)), 1e-12);
    for (let j = 0; j < n; j++) q[j]! *= gamma;
    for (let i = 0; i < S.length; i++) {
      const b = (rho[i] as number) * dot(Y[i] as Float64Array, q);
      const s = S[i] as Float64Array;
      for (let j = 0; j < n; j++) q[j]! += s[j]! * ((alpha[i] as number) - b);
    }
    const d = q.map((v) => -v);
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let j = 0; j < n; j++) d[j] = -(g[j] as number);
      slope = -dot(g, g);
    }
    // Backtracking Armijo line search.
    let step = 1;
    let accepted: { x: Float64Array; value: number; grad: Float64Array } | undefined;
    for (let k = 0; k < 40; k++) {
      const xn = new Float64Array(n);
      for (let j = 0; j < n; j++) xn[j] = (x[j] as number) + step * (d[j] as number);
      const r = objective(xn);
      evaluations++;
      if (Number.isFinite(r.value) && r.value <= f + 1e-4 * step * slope) {
        accepted = { x: xn, ...r };
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break; // no decrease possible at float precision: we are at the minimum
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      s[j] = (accepted.x[j] as number) - (x[j] as number);
      y[j] = (accepted.grad[j] as number) - (g[j] as number);
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
      if (S.length > m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
    }
    const improvement = f - accepted.value;
    x = accepted.x;
    f = accepted.value;
    g = accepted.grad;
    iterations++;
    converged = maxAbs(g) < gtol || improvement <= ftol * Math.max(Math.abs(f), 1);
  }
  return { x, value: f, iterations, evaluations, converged, gradientNorm: Math.sqrt(dot(g, g)) };
}

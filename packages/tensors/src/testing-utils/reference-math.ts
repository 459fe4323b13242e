/** Float64 reference math for tests (not part of the published API). */

/**
 * The error function in float64, accurate to ~1e-15: its Maclaurin series for |x| < 2.5 and the
 * continued fraction of erfc (modified Lentz) beyond.
 */
export function erf64(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // erf(x) = 2/√π · Σ (−1)ⁿ x^(2n+1) / (n! (2n+1))
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  return Math.sign(x) * (1 - erfcLarge(ax));
}

/** erfc(x) for x ≥ 2.5: `exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))`. */
function erfcLarge(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/**
 * Vector–Jacobian products of a float64 reference function by central differences in float64
 * (step `h` relative to max(1, |xᵢ|)): `gᵢ[j] = Σ_k dy[k] · ∂f_k/∂xᵢ[j]`. One pair of evaluations per
 * input element, so use tiny inputs.
 */
export function referenceGradients(f: (xs: Float64Array[]) => ArrayLike<number>, inputs: ArrayLike<number>[], dy: ArrayLike<number>, h = 1e-6): Float64Array[] {
  const xs = inputs.map((x) => Float64Array.from(x));
  const dot = (y: ArrayLike<number>) => {
    let s = 0;
    for (let k = 0; k < y.length; k++) s += (y[k] as number) * (dy[k] as number);
    return s;
  };
  return xs.map((x) => {
    const g = new Float64Array(x.length);
    for (let j = 0; j < x.length; j++) {
      const saved = x[j] as number;
      const step = h * Math.max(1, Math.abs(saved));
      x[j] = saved + step;
      const up = dot(f(xs));
      x[j] = saved - step;
      const down = dot(f(xs));
      x[j] = saved;
      g[j] = (up - down) / (2 * step);
    }
    return g;
  });
}

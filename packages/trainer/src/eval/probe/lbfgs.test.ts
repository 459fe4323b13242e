import { describe, expect, it } from 'vitest';
import { lbfgs } from './lbfgs';

describe('lbfgs', () => {
  it('minimises the Rosenbrock function', () => {
    const r = lbfgs((x) => {
      const [a, b] = [x[0]!, x[1]!];
      return { value: (1 - a) ** 2 + 100 * (b - a * a) ** 2, grad: Float64Array.from([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)]) };
    }, Float64Array.from([-1.2, 1]), { maxIterations: 500, functionTolerance: 0 });
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
    expect(r.converged).toBe(true);
  });
  it('solves a convex quadratic in few iterations', () => {
    // f = ½ xᵀAx − bᵀx with A = diag(1, 10, 100): minimum at b / diag(A)
    const diag = [1, 10, 100];
    const b = [1, 2, 3];
    const r = lbfgs((x) => ({
      value: x.reduce((s, v, i) => s + 0.5 * diag[i]! * v * v - b[i]! * v, 0),
      grad: x.map((v, i) => diag[i]! * v - b[i]!),
    }), new Float64Array(3));
    r.x.forEach((v, i) => expect(v).toBeCloseTo(b[i]! / diag[i]!, 6));
    expect(r.iterations).toBeLessThan(20);
  });
  it('reports a non-finite start', () => {
    expect(() => lbfgs(() => ({ value: Number.NaN, grad: new Float64Array(1) }), new Float64Array(1))).toThrow(/NaN\/inf/);
  });
});

import { describe, expect, it } from 'vitest';
import { Rng } from './rng';

describe('Rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Rng(42).uniformArray(8);
    const b = new Rng(42).uniformArray(8);
    const c = new Rng(43).uniformArray(8);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });
  it('draws uniform numbers in [0,1) with the right mean and normal draws with unit variance', () => {
    const rng = new Rng(1);
    const u = rng.uniformArray(20000);
    const mean = u.reduce((s, v) => s + v, 0) / u.length;
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(mean).toBeCloseTo(0.5, 2);
    const n = rng.normalArray(20000);
    const m = n.reduce((s, v) => s + v, 0) / n.length;
    const v = n.reduce((s, x) => s + (x - m) ** 2, 0) / n.length;
    expect(m).toBeCloseTo(0, 1);
    expect(v).toBeCloseTo(1, 1);
  });
  it('restores its exact state', () => {
    const rng = new Rng(7);
    rng.normal();
    const state = rng.getState();
    const next = [rng.uniform(), rng.normal(), rng.int(100)];
    rng.setState(state);
    expect([rng.uniform(), rng.normal(), rng.int(100)]).toEqual(next);
  });
  it('makes permutations', () => {
    const p = new Rng(3).permutation(50);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

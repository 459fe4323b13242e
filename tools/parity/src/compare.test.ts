import { describe, expect, it } from 'vitest';
import { compareTensor, isExactDType, notComputedComparison } from './compare';

const tol = { rel_l2: 1e-5, max_abs_rel: 1e-5 };
const f32 = (values: number[], shape = [values.length]) => ({ dtype: 'F32', shape, data: Float32Array.from(values) });

describe('compareTensor', () => {
  it('reports max_abs, max_abs_rel and rel_l2 over the finite reference entries', () => {
    const r = compareTensor('output/y', f32([1, -2, 4]), { data: [1, -2, 4.00002] }, { tolerance: tol });
    expect(r.maxAbs).toBeCloseTo(2e-5, 9);
    expect(r.maxAbsRel).toBeCloseTo(2e-5 / 4, 9);
    expect(r.relL2).toBeCloseTo(2e-5 / Math.sqrt(21), 9);
    expect(r.pass).toBe(true);
    expect(r.compared).toBe(3);
  });

  it('passes exactly at the tolerance and fails just above it', () => {
    const ref = { dtype: 'F64', shape: [1], data: Float64Array.from([1]) };
    expect(compareTensor('output/y', ref, { data: [1 + 2 ** -20] }, { tolerance: { rel_l2: 2 ** -20, max_abs_rel: 2 ** -20 } }).pass).toBe(true);
    const above = compareTensor('output/y', ref, { data: [1 + 2 ** -19] }, { tolerance: { rel_l2: 2 ** -20, max_abs_rel: 1 } });
    expect(above.pass).toBe(false);
    expect(above.reason).toMatch(/^rel_l2 .* > /);
    const maxOnly = compareTensor('output/y', f32([1, 100]), { data: [1.001, 100] }, { tolerance: { rel_l2: 1, max_abs_rel: 1e-6 } });
    expect(maxOnly.pass).toBe(false);
    expect(maxOnly.reason).toMatch(/max_abs_rel/);
  });

  it('requires NaN and inf at the same positions, and finite values where the reference is finite', () => {
    const ref = f32([Number.NaN, 1, Number.POSITIVE_INFINITY, 2]);
    expect(compareTensor('output/y', ref, { data: [Number.NaN, 1, Number.POSITIVE_INFINITY, 2] }, { tolerance: tol }).pass).toBe(true);
    const moved = compareTensor('output/y', ref, { data: [0, Number.NaN, Number.POSITIVE_INFINITY, 2] }, { tolerance: tol });
    expect(moved.pass).toBe(false);
    expect(moved.reason).toMatch(/^2 NaN\/inf positions differ \(first at flat index 0/);
    const sign = compareTensor('output/y', ref, { data: [Number.NaN, 1, Number.NEGATIVE_INFINITY, 2] }, { tolerance: tol });
    expect(sign.pass).toBe(false);
  });

  it('ignores NaN reference entries that are declared don\'t-care, but still checks the finite ones', () => {
    const ref = f32([Number.NaN, 1, Number.NaN, 2]);
    const ok = compareTensor('grad/input/pred/s1', ref, { data: [0, 1, 123, 2] }, { tolerance: tol, nanDontCare: true });
    expect(ok.pass).toBe(true);
    expect(ok.dontCare).toBe(2);
    expect(ok.reason).toMatch(/2 NaN reference entries are don't-care/);
    expect(compareTensor('grad/input/pred/s1', ref, { data: [0, 1.1, 0, 2] }, { tolerance: tol, nanDontCare: true }).pass).toBe(false);
    expect(compareTensor('grad/input/pred/s1', ref, { data: [0, 1, 0, 2] }, { tolerance: tol }).pass).toBe(false);
  });

  it('compares integer and boolean tensors exactly', () => {
    const ids = { dtype: 'I64', shape: [3], data: BigInt64Array.from([2n, 0n, 1n]) };
    expect(compareTensor('output/ids_shuffle', ids, { shape: [3], data: Int32Array.from([2, 0, 1]) }).pass).toBe(true);
    const wrong = compareTensor('output/ids_shuffle', ids, { data: [2, 1, 0] });
    expect(wrong.pass).toBe(false);
    expect(wrong.mode).toBe('exact');
    expect(wrong.reason).toMatch(/2 of 3 elements differ \(first at flat index 1: got 1, expected 0\)/);
    const mask = { dtype: 'U8', shape: [2, 2], data: Uint8Array.from([1, 0, 0, 1]) };
    expect(compareTensor('output/visible_mask', mask, { shape: [2, 2], data: Uint8Array.from([1, 0, 0, 1]) }).pass).toBe(true);
    expect(compareTensor('output/visible_mask', mask, { data: [1, 0, 0, 0.9999999] }).pass).toBe(false);
    expect(isExactDType('I32') && isExactDType('BOOL') && !isExactDType('F16')).toBe(true);
  });

  it('compares a float reference exactly when asked (declared-exact masks), NaN equal to NaN', () => {
    const mask = f32([0, 1, Number.NaN]);
    expect(compareTensor('output/mask', mask, { data: [0, 1, Number.NaN] }, { tolerance: tol, exact: true })).toMatchObject({ pass: true, mode: 'exact' });
    expect(compareTensor('output/mask', mask, { data: [0, 1 - 1e-7, Number.NaN] }, { tolerance: tol, exact: true }).pass).toBe(false);
    expect(compareTensor('output/mask', mask, { data: [0, 1 - 1e-7, Number.NaN] }, { tolerance: tol }).pass).toBe(true);
  });

  it('requires an exactly-zero reference to be reproduced exactly', () => {
    const zero = { dtype: 'F32', shape: [], data: Float32Array.from([0]) };
    expect(compareTensor('output/loss/lat', zero, { shape: [], data: [0] }, { tolerance: tol }).pass).toBe(true);
    const tiny = compareTensor('output/loss/lat', zero, { shape: [], data: [1e-12] }, { tolerance: tol });
    expect(tiny.pass).toBe(false);
    expect(tiny.maxAbsRel).toBe(Number.POSITIVE_INFINITY);
    expect(tiny.reason).toMatch(/exactly 0/);
  });

  it('fails on shape or size mismatches, missing tolerances and missing tensors', () => {
    expect(compareTensor('output/y', f32([1, 2, 3, 4], [2, 2]), { shape: [4], data: [1, 2, 3, 4] }, { tolerance: tol }).reason).toMatch(/shape \[4\] differs from reference \[2, 2\]/);
    expect(compareTensor('output/y', f32([1, 2, 3]), { data: [1, 2] }, { tolerance: tol }).reason).toMatch(/2 elements, reference has 3/);
    expect(compareTensor('output/y', f32([1]), { data: [1] }).pass).toBe(false);
    const nc = notComputedComparison('grad/w', 'needs an op', tol);
    expect(nc).toMatchObject({ pass: false, reason: 'not computed: needs an op' });
  });
});

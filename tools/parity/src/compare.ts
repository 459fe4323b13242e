import type { ParityTolerance } from './manifest';

/** Element types of reference tensors (safetensors dtype names). */
export type ReferenceDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8' | 'BOOL';

/** Numbers of a tensor, whichever typed array holds them. */
export type NumericArray = ArrayLike<number> | BigInt64Array | BigUint64Array;

/** A reference tensor read from a fixture file. */
export interface ReferenceTensor {
  readonly dtype: ReferenceDType | string;
  readonly shape: readonly number[];
  /** Elements in C order (`F16`/`BF16` already converted to numbers). */
  readonly data: NumericArray;
}

/** A computed tensor, read back from tfjs or produced directly. `shape` undefined = take the reference's. */
export interface ComputedTensor {
  readonly shape?: readonly number[];
  readonly data: NumericArray;
}

/** Result of comparing one tensor. */
export interface TensorComparison {
  /** Tensor name in the fixture (`output/…`, `grad/…`). */
  readonly tensor: string;
  /** `tolerance` for float tensors, `exact` for integer and boolean ones. */
  readonly mode: 'tolerance' | 'exact';
  /** `max|y − r|` over the compared entries (NaN when nothing could be compared). */
  readonly maxAbs: number;
  /** `maxAbs / max|r|` (0 when both are 0; Infinity when `r` is all zero and `y` is not). */
  readonly maxAbsRel: number;
  /** `‖y − r‖₂ / ‖r‖₂` (same conventions). */
  readonly relL2: number;
  /** The thresholds applied (`undefined` in exact mode). */
  readonly tolerance?: ParityTolerance;
  /** Whether the tensor passes. */
  readonly pass: boolean;
  /** Why it failed, or a remark (e.g. how many don't-care entries were skipped). */
  readonly reason?: string;
  /** Entries compared numerically. */
  readonly compared: number;
  /** NaN reference entries skipped as don't-care. */
  readonly dontCare: number;
}

/** Options of {@link compareTensor}. */
export interface CompareOptions {
  /** Thresholds for float tensors; required for them. */
  readonly tolerance?: ParityTolerance;
  /** NaN entries of the reference are don't-care (the computed value there is ignored). */
  readonly nanDontCare?: boolean;
  /** Compare a float reference exactly (e.g. a float 0/1 mask the manifest declares exact). */
  readonly exact?: boolean;
}

const FLOAT_DTYPES = new Set(['F64', 'F32', 'F16', 'BF16']);

/** Whether a reference dtype is compared exactly (integers and booleans). */
export function isExactDType(dtype: string): boolean {
  return !FLOAT_DTYPES.has(dtype);
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function failed(tensor: string, mode: TensorComparison['mode'], reason: string, tolerance?: ParityTolerance): TensorComparison {
  return { tensor, mode, maxAbs: Number.NaN, maxAbsRel: Number.NaN, relL2: Number.NaN, pass: false, reason, compared: 0, dontCare: 0, ...(tolerance ? { tolerance } : {}) };
}

/** A comparison row for a reference tensor the handler did not produce. */
export function notComputedComparison(tensor: string, why?: string, tolerance?: ParityTolerance): TensorComparison {
  return failed(tensor, tolerance ? 'tolerance' : 'exact', why ? `not computed: ${why}` : 'not computed', tolerance);
}

function ratio(num: number, den: number): number {
  if (den > 0) return num / den;
  return num === 0 ? 0 : Number.POSITIVE_INFINITY;
}

/**
 * Compare a computed tensor with its reference, following the fixtures README:
 * - float references: over the finite entries of `r`, `max_abs = max|y − r|`,
 *   `max_abs_rel = max_abs / max|r|`, `rel_l2 = ‖y − r‖₂ / ‖r‖₂`; pass when both relative errors
 *   are within the tolerance (inclusive). NaN/±inf positions of `r` must hold the same value in
 *   `y` (unless NaN entries are don't-care), and `y` must be finite where `r` is. A reference that
 *   is exactly zero (e.g. a scalar loss forced to 0) must be exactly zero: its relative errors are
 *   0 when `y` is 0 there and infinite otherwise.
 * - integer and boolean references (and float ones with `exact`): every element must be equal.
 * Shapes must agree (a computed value without a shape needs the same element count).
 */
export function compareTensor(tensor: string, ref: ReferenceTensor, computed: ComputedTensor, options: CompareOptions = {}): TensorComparison {
  const exact = isExactDType(ref.dtype) || options.exact === true;
  const mode: TensorComparison['mode'] = exact ? 'exact' : 'tolerance';
  const tolerance = options.tolerance;
  if (!exact && !tolerance) return failed(tensor, mode, 'no tolerance for this tensor in the manifest');
  const n = ref.data.length;
  if (computed.shape !== undefined && shapeText(computed.shape) !== shapeText(ref.shape)) {
    return failed(tensor, mode, `shape ${shapeText(computed.shape)} differs from reference ${shapeText(ref.shape)}`, tolerance);
  }
  if (computed.data.length !== n) {
    return failed(tensor, mode, `${computed.data.length} elements, reference has ${n} (shape ${shapeText(ref.shape)})`, tolerance);
  }
  const r = ref.data;
  const y = computed.data;

  if (exact) {
    let mismatches = 0;
    let maxAbs = 0;
    let first = -1;
    for (let i = 0; i < n; i++) {
      const rv = Number(r[i]);
      const yv = Number(y[i]);
      if (rv !== yv && !(Number.isNaN(rv) && Number.isNaN(yv))) {
        mismatches++;
        if (first < 0) first = i;
        const d = Math.abs(yv - rv);
        maxAbs = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(maxAbs, d);
      }
    }
    const pass = mismatches === 0;
    const base = { tensor, mode, maxAbs, maxAbsRel: pass ? 0 : Number.NaN, relL2: pass ? 0 : Number.NaN, pass, compared: n, dontCare: 0 };
    return pass ? base : { ...base, reason: `${mismatches} of ${n} elements differ (first at flat index ${first}: got ${Number(y[first])}, expected ${Number(r[first])})` };
  }

  let maxAbs = 0;
  let maxRef = 0;
  let diffSq = 0;
  let refSq = 0;
  let compared = 0;
  let dontCare = 0;
  let nonFiniteMismatch = 0;
  let firstBad = -1;
  for (let i = 0; i < n; i++) {
    const rv = Number(r[i]);
    const yv = Number(y[i]);
    if (Number.isNaN(rv)) {
      if (options.nanDontCare) dontCare++;
      else if (!Number.isNaN(yv)) {
        nonFiniteMismatch++;
        if (firstBad < 0) firstBad = i;
      }
      continue;
    }
    if (!Number.isFinite(rv)) {
      if (yv !== rv) {
        nonFiniteMismatch++;
        if (firstBad < 0) firstBad = i;
      }
      continue;
    }
    if (!Number.isFinite(yv)) {
      nonFiniteMismatch++;
      if (firstBad < 0) firstBad = i;
      continue;
    }
    const d = Math.abs(yv - rv);
    if (d > maxAbs) maxAbs = d;
    const a = Math.abs(rv);
    if (a > maxRef) maxRef = a;
    diffSq += d * d;
    refSq += rv * rv;
    compared++;
  }
  const maxAbsRel = ratio(maxAbs, maxRef);
  const relL2 = ratio(Math.sqrt(diffSq), Math.sqrt(refSq));
  const reasons: string[] = [];
  if (nonFiniteMismatch > 0) {
    reasons.push(`${nonFiniteMismatch} NaN/inf positions differ (first at flat index ${firstBad}: got ${Number(y[firstBad])}, expected ${Number(r[firstBad])})`);
  }
  const t = tolerance!;
  if (maxRef === 0 && compared > 0 && maxAbs > 0) reasons.push('reference is exactly 0 and must be reproduced exactly');
  else {
    if (!(relL2 <= t.rel_l2)) reasons.push(`rel_l2 ${relL2.toExponential(2)} > ${t.rel_l2}`);
    if (!(maxAbsRel <= t.max_abs_rel)) reasons.push(`max_abs_rel ${maxAbsRel.toExponential(2)} > ${t.max_abs_rel}`);
  }
  const pass = reasons.length === 0;
  if (dontCare > 0) reasons.push(`${dontCare} NaN reference entries are don't-care`);
  return { tensor, mode, maxAbs, maxAbsRel, relL2, tolerance: t, pass, compared, dontCare, ...(reasons.length ? { reason: reasons.join('; ') } : {}) };
}

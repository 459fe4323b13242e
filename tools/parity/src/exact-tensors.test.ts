import { describe, expect, it } from 'vitest';
import { exactWords, isDeclaredExact } from './exact-tensors';
import type { ParityCase } from './manifest';

const f32 = (values: number[]) => ({ dtype: 'F32', shape: [values.length], data: Float32Array.from(values) });
const tol = { rel_l2: 1e-5, max_abs_rel: 1e-5 };

describe('exact float tensors declared in the tolerance', () => {
  it('reads the words of "exact" entries', () => {
    const c = { name: 'c', kind: 'k', file: 'f', tolerance: { forward: tol, ids_and_mask: 'exact', masks_ids_len_keep: 'exact', note: 'x' } } as ParityCase;
    expect([...exactWords(c)].sort()).toEqual(['ids', 'keep', 'len', 'mask']);
  });
  it('applies to integral float references whose name shares a word, not to other floats', () => {
    const words = new Set(['mask', 'patchify']);
    expect(isDeclaredExact('output/mask', f32([0, 1, 1, 0]), words)).toBe(true);
    expect(isDeclaredExact('output/visible_masks', f32([0, 1]), words)).toBe(true);
    expect(isDeclaredExact('output/mask_ratio', f32([0.8, 0.85]), words)).toBe(false);
    expect(isDeclaredExact('output/pred', f32([0, 1]), words)).toBe(false);
    expect(isDeclaredExact('output/mask', f32([0, 1]), new Set())).toBe(false);
  });
});

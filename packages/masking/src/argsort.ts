/**
 * Host-side argsort helpers with the conventions of MAE's `random_masking`:
 * `idsShuffle = argsort(noise)` ascending and `idsRestore = argsort(idsShuffle)`.
 * @packageDocumentation
 */

/**
 * Ascending argsort of one row (ties broken by index, so the result is deterministic).
 *
 * @param values the row.
 * @param offset first element of the row in `values`.
 * @param length row length.
 */
export function argsortRow(values: ArrayLike<number>, offset = 0, length = values.length - offset): Int32Array {
  const ids = Array.from({ length }, (_, i) => i);
  ids.sort((a, b) => {
    const va = values[offset + a] as number;
    const vb = values[offset + b] as number;
    return va < vb ? -1 : va > vb ? 1 : a - b;
  });
  return Int32Array.from(ids);
}

/** The inverse permutation of `perm` (`argsort` of a permutation): `inv[perm[i]] = i`. */
export function inversePermutation(perm: ArrayLike<number>): Int32Array {
  const inv = new Int32Array(perm.length);
  for (let i = 0; i < perm.length; i++) inv[perm[i] as number] = i;
  return inv;
}

/** Row-wise shuffle and restore indices of `count` rows of `length` noise values (row-major). */
export function shuffleFromNoise(noise: ArrayLike<number>, count: number, length: number): { idsShuffle: Int32Array; idsRestore: Int32Array } {
  const idsShuffle = new Int32Array(count * length);
  const idsRestore = new Int32Array(count * length);
  for (let r = 0; r < count; r++) {
    const shuffle = argsortRow(noise, r * length, length);
    idsShuffle.set(shuffle, r * length);
    idsRestore.set(inversePermutation(shuffle), r * length);
  }
  return { idsShuffle, idsRestore };
}

/** Round half to even, like `torch.round` and Python's `round`. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

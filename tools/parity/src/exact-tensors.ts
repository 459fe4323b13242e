import type { ReferenceTensor } from './compare';
import type { ParityCase } from './manifest';

function singular(word: string): string {
  return word.length > 3 && word.endsWith('s') ? word.slice(0, -1) : word;
}

/**
 * Words of the case's tolerance entries whose value is `"exact"`, e.g. mae_vit's
 * `"ids_and_mask": "exact"` → `ids`, `mask`; neighbor_mae's `"masks_ids_len_keep": "exact"` →
 * `mask`, `ids`, `len`, `keep` (plurals reduced to singular).
 */
export function exactWords(c: ParityCase): Set<string> {
  const out = new Set<string>();
  for (const [key, value] of Object.entries(c.tolerance)) {
    if (value !== 'exact') continue;
    for (const w of key.split('_')) if (w && w !== 'and') out.add(singular(w));
  }
  return out;
}

/**
 * Whether a float reference must match exactly: one of the words of {@link exactWords} is a word
 * of its name (after `output/`, split on `/` and `_`) and every finite value of the reference is an
 * integer (a 0/1 mask or an index stored as float). Float tensors that merely share a word, such
 * as `output/mask_ratio`, keep the tolerance.
 */
export function isDeclaredExact(name: string, ref: ReferenceTensor, words: ReadonlySet<string>): boolean {
  if (words.size === 0) return false;
  const nameWords = name.split('/').slice(1).flatMap((seg) => seg.split('_')).map(singular);
  if (!nameWords.some((w) => words.has(w))) return false;
  for (let i = 0; i < ref.data.length; i++) {
    const v = Number(ref.data[i]);
    if (Number.isFinite(v) && !Number.isInteger(v)) return false;
  }
  return true;
}

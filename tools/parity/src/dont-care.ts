import type { ParityCase } from './manifest';

const DONT_CARE = /don['\u2019]?t[\s-]*care/i;
const TENSOR_TOKEN = /\b(?:output|grad)\/[A-Za-z0-9_./<>{}|,*-]+/g;

/**
 * Expand one alternative group `<a|b|c>` or `{a,b,c}` at a time:
 * `grad/input/pred/<s1|aster>` → `grad/input/pred/s1`, `grad/input/pred/aster`.
 */
export function expandAlternatives(pattern: string): string[] {
  const m = /<([^<>]*)>|\{([^{}]*)\}/.exec(pattern);
  if (!m) return [pattern];
  const options = m[1] !== undefined ? m[1].split('|') : m[2]!.split(',');
  const head = pattern.slice(0, m.index);
  const tail = pattern.slice(m.index + m[0].length);
  return options.flatMap((o) => expandAlternatives(head + o.trim() + tail));
}

/**
 * Reference tensors whose NaN entries are don't-care (the computed value there is ignored), as a
 * case declares them: every `output/…` or `grad/…` name (with `<a|b>` / `{a,b}` alternatives)
 * mentioned in a note that says "don't-care", plus the optional explicit `nan_dont_care` list.
 * E.g. fcmae_loss: "grad/input/pred/<sentinel1|aster|canopy_height_eth> is NaN exactly where the
 * target is NaN … Treat those entries as don't-care".
 */
export function nanDontCareTensors(c: ParityCase): Set<string> {
  const out = new Set<string>();
  for (const note of c.notes ?? []) {
    if (!DONT_CARE.test(note)) continue;
    for (const token of note.match(TENSOR_TOKEN) ?? []) {
      const cleaned = token.replace(/[.,;:]+$/, '');
      for (const name of expandAlternatives(cleaned)) out.add(name);
    }
  }
  for (const pattern of c.nan_dont_care ?? []) for (const name of expandAlternatives(pattern)) out.add(name);
  return out;
}

/** Whether `name` matches one of the patterns (exact names, `*` matching any run of characters). */
export function matchesTensorPattern(name: string, patterns: Iterable<string>): boolean {
  for (const p of patterns) {
    if (p === name) return true;
    if (p.includes('*')) {
      const re = new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
      if (re.test(name)) return true;
    }
  }
  return false;
}

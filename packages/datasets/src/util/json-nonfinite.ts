/**
 * JSON with Python's non-standard `NaN`, `Infinity` and `-Infinity` tokens (what `json.dump`
 * writes by default, and what MMEarth's side files may contain).
 */

const TOKENS: ReadonlyArray<[string, number]> = [
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['NaN', Number.NaN],
];
const MARK = '\u0000nf:';

/** Parse JSON text that may contain bare `NaN` / `Infinity` / `-Infinity` values. */
export function parseJsonNonFinite(text: string): unknown {
  if (!/NaN|Infinity/.test(text)) return JSON.parse(text);
  let out = '';
  let i = 0;
  let last = 0;
  const n = text.length;
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === 34 /* " */) {
      i++;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === 92 /* \ */) i += 2;
        else if (c === 34) break;
        else i++;
      }
      i++;
      continue;
    }
    let matched = false;
    for (const [token] of TOKENS) {
      if (text.startsWith(token, i)) {
        out += text.slice(last, i) + JSON.stringify(MARK + token);
        i += token.length;
        last = i;
        matched = true;
        break;
      }
    }
    if (!matched) i++;
  }
  out += text.slice(last);
  return JSON.parse(out, (_key, value: unknown) => {
    if (typeof value === 'string' && value.startsWith(MARK)) {
      const token = value.slice(MARK.length);
      return TOKENS.find(([t]) => t === token)?.[1];
    }
    return value;
  });
}

/**
 * Serialise to JSON, writing non-finite numbers as Python's `NaN` / `Infinity` / `-Infinity`
 * tokens (read back by `json.load` and by {@link parseJsonNonFinite}).
 */
export function stringifyJsonNonFinite(value: unknown, indent?: number): string {
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) {
        return MARK + (Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity');
      }
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
      return v;
    },
    indent,
  );
  return text.replace(/"\\u0000nf:(NaN|Infinity|-Infinity)"/g, '$1');
}

import { describe, expect, it } from 'vitest';
import { ParityError } from './errors';
import { caseConstructor, loadManifest, parseManifest } from './manifest';

describe('parseManifest', () => {
  const ok = { name: 'a', kind: 'k', file: 'a.safetensors', tolerance: { forward: { rel_l2: 1e-5, max_abs_rel: 1e-5 } }, constructor: { dim: 4 } };
  it('accepts a valid manifest and exposes the constructor settings', () => {
    const m = parseManifest({ cases: [ok] }, 'm.json');
    expect(caseConstructor(m.cases[0]!)).toEqual({ dim: 4 });
    expect(caseConstructor({ ...ok, constructor: undefined } as never)).toEqual({});
  });
  it('names the file, case and field of every problem', () => {
    expect(() => parseManifest({}, 'm.json')).toThrow(/m.json: expected a JSON object with a "cases" array/);
    expect(() => parseManifest({ cases: [{ ...ok, kind: undefined }] }, 'm.json')).toThrow(/cases\[0\] has no "kind"/);
    expect(() => parseManifest({ cases: [ok, ok] }, 'm.json')).toThrow(/"a" appears twice/);
    expect(() => parseManifest({ cases: [{ ...ok, tolerance: { grads: { rel_l2: 1 } } }] }, 'm.json')).toThrow(/tolerance.grads needs/);
    expect(() => loadManifest('/definitely/not/here')).toThrow(ParityError);
  });
});

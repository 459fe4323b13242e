import { describe, expect, it } from 'vitest';
import { expandAlternatives, matchesTensorPattern, nanDontCareTensors } from './dont-care';
import type { ParityCase } from './manifest';

const base: ParityCase = { name: 'c', kind: 'k', file: 'c.safetensors', tolerance: {} };

describe('nanDontCareTensors', () => {
  it("reads <a|b> and {a,b} alternatives from notes that say don't-care", () => {
    const c: ParityCase = {
      ...base,
      notes: [
        'grad/input/pred/<s1|aster|canopy> is NaN exactly where the target is NaN. Treat those entries as don\u2019t-care (0 is fine); every finite entry must match. era5 is finite.',
        'grad/input/pred/era5 is finite (this note names a tensor but declares nothing)',
        'output/{a,b}/x: don\'t care where NaN.',
      ],
      nan_dont_care: ['grad/extra/*'],
    };
    expect([...nanDontCareTensors(c)].sort()).toEqual(
      ['grad/extra/*', 'grad/input/pred/aster', 'grad/input/pred/canopy', 'grad/input/pred/s1', 'output/a/x', 'output/b/x'].sort(),
    );
    expect(nanDontCareTensors(base).size).toBe(0);
  });

  it('expands nested alternatives and matches * patterns', () => {
    expect(expandAlternatives('grad/<a|b>/{x,y}')).toEqual(['grad/a/x', 'grad/a/y', 'grad/b/x', 'grad/b/y']);
    expect(matchesTensorPattern('grad/extra/w.bias', ['grad/extra/*'])).toBe(true);
    expect(matchesTensorPattern('grad/other', ['grad/extra/*', 'grad/input/x'])).toBe(false);
  });
});

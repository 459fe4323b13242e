import { describe, expect, it, vi } from 'vitest';
import { MaskingOptionError } from './errors';
import { randomMasking } from './random';
import { createMaskingStrategy, listMaskingStrategies, registerMaskingStrategy } from './registry';

describe('masking registry', () => {
  it('creates built-ins by name with options', () => {
    expect(listMaskingStrategies()).toEqual(expect.arrayContaining(['random', 'fcmae', 'neighbor-adaptive', 'block']));
    const s = createMaskingStrategy('fcmae', { ratio: 0.8 });
    expect(s.name).toBe('fcmae');
    expect(s.options['ratio']).toBe(0.8);
    expect(createMaskingStrategy('neighbor-adaptive').options).toMatchObject({ ratioMin: 0.75, ratioMax: 0.85 });
  });
  it('names unknown strategies and warns on duplicates', () => {
    expect(() => createMaskingStrategy('nope')).toThrow(MaskingOptionError);
    expect(() => createMaskingStrategy('nope')).toThrow(/registered strategies: .*random/);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    registerMaskingStrategy('test-dup', () => randomMasking());
    registerMaskingStrategy('test-dup', () => randomMasking());
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/test-dup/));
    warn.mockRestore();
  });
});
